package com.example.kinesispipelines.flink.steps;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.DecimalDataUtils;

/**
 * The k-sigma rule of {@code ROLLING_ANOMALIES}: a row's reading {@code x} of a metric whose frame (the row and its
 * peers included) has count {@code count}, sum {@code sum} and sum of squares {@code sumSq} is scored against the
 * frame without it, with the arithmetic of the SQL the step replaces (as Flink compiles it to Java), so that the
 * doubles are the same to the last bit:
 * <pre>
 * n    = count - 1                                   (BIGINT)
 * mean = (sum - x) / NULLIF(n, 0)                    (DOUBLE / BIGINT: both as double)
 * std  = SQRT(GREATEST((sumSq - x * x) / NULLIF(n, 0) - POWER(mean, 2), 0.0))   (population)
 * an anomaly when x IS NOT NULL AND n &gt;= minSamples AND std &gt; 0 AND ABS(x - mean) &gt; sigma * std
 * z    = (x - mean) / std
 * </pre>
 * Read from the code Flink 1.19 generates for it (logged by its CompileUtils at DEBUG): the planner turns SQRT(v)
 * into POWER(v, 0.5), and POWER becomes {@code Math.pow} (the DECIMAL exponent through
 * {@code DecimalDataUtils.doubleValue}); GREATEST keeps the first argument unless {@code Double.compareTo} finds the
 * literal 0.0 greater (NaN stays, -0.0 becomes 0.0: what {@code Math.max} gives for two doubles); DOUBLE / BIGINT
 * divides by the BIGINT as a double; ABS is {@code Math.abs}; sigma, a DECIMAL literal, is multiplied as
 * {@code DecimalDataUtils.doubleValue} of it. The rule does the same, and {@code AnomalyRuleTest} compares it with
 * Flink's SQL on special values.
 */
final class AnomalyRule implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The columns the step adds to the input's, in this order. */
    static final List<String> COLUMNS = List.of("metric", "reading", "window_mean", "window_stddev", "z_score",
            "window_samples");

    /** Sigma as the script wrote it (a SQL numeric literal), and as the double SQL multiplies a DOUBLE by. */
    final String sigmaText;
    final double sigma;
    final long minSamples;
    /** The metric columns' names, in the step's order: the metric column of a row. */
    final String[] metrics;

    AnomalyRule(String sigmaText, long minSamples, String[] metrics) {
        this.sigmaText = sigmaText;
        BigDecimal decimal = new BigDecimal(sigmaText);
        // The literal's DECIMAL(p, s) as Flink's planner types it (p at least s: 0.05 is DECIMAL(2, 2)).
        this.sigma = DecimalDataUtils.doubleValue(DecimalData.fromBigDecimal(decimal,
                Math.max(decimal.precision(), decimal.scale()), decimal.scale()));
        this.minSamples = minSamples;
        this.metrics = metrics.clone();
    }

    /** The step's added columns and their types. */
    static List<DataTypes.Field> fields() {
        // As the SQL that defines the step types them (the metric's name and the count are never NULL there).
        return List.of(DataTypes.FIELD(COLUMNS.get(0), DataTypes.STRING().notNull()),
                DataTypes.FIELD(COLUMNS.get(1), DataTypes.DOUBLE()), DataTypes.FIELD(COLUMNS.get(2), DataTypes.DOUBLE()),
                DataTypes.FIELD(COLUMNS.get(3), DataTypes.DOUBLE()), DataTypes.FIELD(COLUMNS.get(4), DataTypes.DOUBLE()),
                DataTypes.FIELD(COLUMNS.get(5), DataTypes.BIGINT().notNull()));
    }

    /**
     * Scores a non-NULL reading: when at least {@code minSamples} readings precede it, the mean and standard deviation
     * of the frame without it go to {@code out[0]} and {@code out[1]}; when it is an anomaly, its z-score goes to
     * {@code out[2]} and the method returns true.
     */
    boolean score(double x, long count, double sum, double sumSq, double[] out) {
        long n = count - 1;
        if (n < minSamples || n == 0) {
            return false;
        }
        double mean = (sum - x) / (double) n;
        double std = Math.pow(Math.max((sumSq - x * x) / (double) n - Math.pow(mean, 2), 0.0), 0.5); // SQRT, as Flink runs it
        out[0] = mean;
        out[1] = std;
        if (!(std > 0) || !(Math.abs(x - mean) > sigma * std)) {
            return false;
        }
        out[2] = (x - mean) / std;
        return true;
    }
}
