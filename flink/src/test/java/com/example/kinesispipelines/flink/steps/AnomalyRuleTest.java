package com.example.kinesispipelines.flink.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * ROLLING_ANOMALIES's rule against the SQL it stands for, as Flink compiles and runs it: on every combination of
 * special doubles (0.0, -0.0, subnormal, huge, infinite, NaN) for the reading, the sum and the sum of squares, and
 * small counts, the mean, the standard deviation, sigma times it, the decision and the z-score are the same bits.
 */
class AnomalyRuleTest {
    private static final double[] VALUES = {0.0, -0.0, 1.0, -2.5, 3.0, 0.1, 4.9e-324, 1e308, -1e308,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
    private static final long[] COUNTS = {1, 2, 3, 4};

    @Test
    void givesTheDoublesOfFlinksSql() throws Exception {
        String sigma = "0.3";
        long minSamples = 2;
        AnomalyRule rule = new AnomalyRule(sigma, minSamples, new String[] {"x"});
        List<Row> inputs = new ArrayList<>();
        for (double x : VALUES) {
            for (double sum : VALUES) {
                for (double sumSq : VALUES) {
                    for (long count : COUNTS) {
                        inputs.add(Row.of(inputs.size(), x, count, sum, sumSq));
                    }
                }
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        TypeInformation<Row> type = Types.ROW_NAMED(new String[] {"i", "x", "c", "s", "q"}, Types.INT, Types.DOUBLE,
                Types.LONG, Types.DOUBLE, Types.DOUBLE);
        tEnv.createTemporaryView("t", tEnv.fromDataStream(env.fromData(inputs, type)));
        // The IoT script's expressions before ROLLING_ANOMALIES, over a row's reading x and its frame's c, s, q.
        String mean = "(s - x) / NULLIF(c - 1, 0)";
        String std = "SQRT(GREATEST((q - x * x) / NULLIF(c - 1, 0) - POWER(" + mean + ", 2), 0.0))";
        Table scored = tEnv.sqlQuery("SELECT i, m, d, " + sigma + " * d, x IS NOT NULL AND p >= " + minSamples
                + " AND d > 0 AND ABS(x - m) > " + sigma + " * d, (x - m) / d FROM (SELECT i, x, c - 1 AS p, " + mean
                + " AS m, " + std + " AS d FROM t)");
        Row[] expected = new Row[inputs.size()];
        try (CloseableIterator<Row> rows = scored.execute().collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                expected[(Integer) row.getField(0)] = row;
            }
        }
        int anomalies = 0;
        int scoredRows = 0;
        double[] out = new double[3];
        for (Row input : inputs) {
            Row sql = expected[(Integer) input.getField(0)];
            long count = (Long) input.getField(2);
            boolean flagged = rule.score((Double) input.getField(1), count, (Double) input.getField(3),
                    (Double) input.getField(4), out);
            assertThat(flagged).as("anomaly for %s", input).isEqualTo(sql.getField(4));
            if (count - 1 >= minSamples) {
                scoredRows++;
                assertThat(new double[] {out[0], out[1], rule.sigma * out[1]}).as("mean, std, sigma * std for %s", input)
                        .isEqualTo(new double[] {(Double) sql.getField(1), (Double) sql.getField(2),
                            (Double) sql.getField(3)});
            }
            if (flagged) {
                anomalies++;
                assertThat(out[2]).as("z for %s", input).isEqualTo((Double) sql.getField(5));
            }
        }
        assertThat(anomalies).as("anomalies among the inputs").isGreaterThan(20);
        assertThat(scoredRows).isGreaterThan(1000);
    }
}
