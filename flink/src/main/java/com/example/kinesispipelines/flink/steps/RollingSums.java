package com.example.kinesispipelines.flink.steps;

import com.example.kinesispipelines.flink.SqlStatement;
import com.example.kinesispipelines.flink.SqlStatementException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/**
 * The {@code ROLLING_SUMS} step: per key, over a RANGE frame of event time, the count, sum and sum of squares of
 * numeric columns, for each row, in constant time per row whatever the frame's length. A script writes it as
 * <pre>
 * CREATE TEMPORARY VIEW stats AS SELECT * FROM TABLE(ROLLING_SUMS(TABLE readings, DESCRIPTOR(device_id),
 *   DESCRIPTOR(event_time), INTERVAL '10' MINUTE, DESCRIPTOR(temperature, pressure)))
 * </pre>
 * and the view holds every column of the input plus, per column {@code c}, {@code c_count BIGINT NOT NULL},
 * {@code c_sum DOUBLE} and {@code c_sumsq DOUBLE}: exactly
 * {@code COUNT(c) OVER w, SUM(c) OVER w, SUM(c * c) OVER w} with {@code w AS (PARTITION BY key ORDER BY time RANGE
 * BETWEEN <interval> PRECEDING AND CURRENT ROW)} over the input's rows whose key is not NULL (rows without a key are
 * passed over), time attribute and watermarks included. The key is a STRING column, the time the input's rowtime
 * attribute, the columns DOUBLE.
 *
 * <p>In a {@link StreamTableEnvironment} (the job's) the step runs as a keyed {@link RollingSumsFunction} reached
 * through {@code toDataStream}/{@code fromDataStream}, and the input's name is then bound to that same stream, so that
 * later statements that read the input share its source (a table read by the step and by a statement would otherwise
 * be read twice): write the step right after the input is defined, and read the input only after it. In a plain
 * {@link TableEnvironment} (no DataStream bridge) the step is planned as that OVER window, same results, window-length
 * cost.
 *
 * <p>{@code ROLLING_ANOMALIES} is the same step with two more arguments, a sigma and a minimum of samples:
 * <pre>
 * CREATE TEMPORARY VIEW anomalies AS SELECT * FROM TABLE(ROLLING_ANOMALIES(TABLE readings, DESCRIPTOR(device_id),
 *   DESCRIPTOR(event_time), INTERVAL '10' MINUTE, DESCRIPTOR(temperature, pressure), 3.0, 5))
 * </pre>
 * The same function, state and timers (and operator uid, {@code rolling-sums-<view>}) score each row's columns against
 * the frame without the row ({@link AnomalyRule}) and emit, per column whose reading is an anomaly, the row with
 * {@code metric, reading, window_mean, window_stddev, z_score, window_samples} appended; no other row leaves the
 * step. Without the DataStream bridge it is planned as the SQL that defines it: the OVER window above, then one
 * filter per column in a UNION ALL.
 */
public final class RollingSums {
    public static final String NAME = "ROLLING_SUMS";
    /** The same step scoring each row's metrics against the frame before it, emitting only the anomalies. */
    public static final String ANOMALIES = "ROLLING_ANOMALIES";
    private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
    private static final Pattern MENTION = Pattern.compile("\\bROLLING_(?:SUMS|ANOMALIES)\\s*\\(",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern STEP = Pattern.compile(
            "\\s*CREATE\\s+TEMPORARY\\s+VIEW\\s+(" + IDENTIFIER + ")\\s+AS\\s+SELECT\\s+\\*\\s+FROM\\s+TABLE\\s*\\(\\s*"
                    + "(ROLLING_SUMS|ROLLING_ANOMALIES)\\s*\\(\\s*TABLE\\s+(" + IDENTIFIER + ")\\s*,"
                    + "\\s*DESCRIPTOR\\s*\\(\\s*(" + IDENTIFIER + ")\\s*\\)\\s*,"
                    + "\\s*DESCRIPTOR\\s*\\(\\s*(" + IDENTIFIER + ")\\s*\\)\\s*,"
                    + "\\s*INTERVAL\\s+'\\s*([0-9]{1,9})\\s*'\\s+(SECOND|MINUTE|HOUR|DAY)(?:\\s*\\(\\s*[0-9]\\s*\\))?\\s*,"
                    + "\\s*DESCRIPTOR\\s*\\(\\s*(" + IDENTIFIER + "(?:\\s*,\\s*" + IDENTIFIER + ")*)\\s*\\)\\s*"
                    + "(?:,\\s*([^,()]*?)\\s*,\\s*([^,()]*?)\\s*)?"
                    + "\\)\\s*\\)\\s*",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** A sigma as a SQL numeric literal (DECIMAL, or INT without a point), and a minimum of samples as an integer. */
    private static final Pattern SIGMA = Pattern.compile("[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+");
    private static final Pattern COUNT = Pattern.compile("[0-9]{1,10}");
    static final String USAGE = "CREATE TEMPORARY VIEW <name> AS SELECT * FROM TABLE(ROLLING_SUMS(TABLE <input>, "
            + "DESCRIPTOR(<key>), DESCRIPTOR(<rowtime>), INTERVAL '<n>' SECOND|MINUTE|HOUR|DAY[(<precision>)], DESCRIPTOR(<column>, ...)))";
    static final String ANOMALIES_USAGE = "CREATE TEMPORARY VIEW <name> AS SELECT * FROM TABLE(ROLLING_ANOMALIES("
            + "TABLE <input>, DESCRIPTOR(<key>), DESCRIPTOR(<rowtime>), INTERVAL '<n>' SECOND|MINUTE|HOUR|DAY[(<precision>)], "
            + "DESCRIPTOR(<column>, ...), <sigma>, <min samples>))";
    static final String COUNT_SUFFIX = "_count";
    static final String SUM_SUFFIX = "_sum";
    static final String SUM_SQ_SUFFIX = "_sumsq";

    final String name;
    final String view;
    final String input;
    final String key;
    final String time;
    final long rangeMillis;
    final String interval;
    final List<String> columns;
    /** ROLLING_ANOMALIES's rule; null for ROLLING_SUMS. */
    final AnomalyRule rule;

    private RollingSums(String name, String view, String input, String key, String time, long rangeMillis,
            String interval, List<String> columns, AnomalyRule rule) {
        this.name = name;
        this.view = view;
        this.input = input;
        this.key = key;
        this.time = time;
        this.rangeMillis = rangeMillis;
        this.interval = interval;
        this.columns = columns;
        this.rule = rule;
    }

    /** Whether the statement is this step (or a malformed attempt at it, which {@link #parse} then rejects). */
    public static boolean isStep(SqlStatement statement) {
        return MENTION.matcher(statement.text()).find();
    }

    /** The step a statement describes. */
    static RollingSums parse(SqlStatement statement) {
        Matcher m = STEP.matcher(statement.text());
        boolean anomalies = statement.text().toUpperCase(Locale.ROOT).contains(ANOMALIES);
        if (!m.matches() || m.group(2).equalsIgnoreCase(ANOMALIES) != (m.group(10) != null)) {
            String step = anomalies ? ANOMALIES : NAME;
            throw new SqlStatementException(statement, "uses " + step + ", a step of this job, which must be written "
                    + (anomalies ? ANOMALIES_USAGE : USAGE));
        }
        String name = m.group(2).toUpperCase(Locale.ROOT);
        long amount = Long.parseLong(m.group(6));
        String unit = m.group(7).toUpperCase(Locale.ROOT);
        long unitMillis = unit.equals("SECOND") ? 1_000L : unit.equals("MINUTE") ? 60_000L
                : unit.equals("HOUR") ? 3_600_000L : 86_400_000L;
        if (amount < 1) {
            throw new SqlStatementException(statement, name + " needs an interval of at least 1 " + unit + ", got "
                    + amount);
        }
        List<String> columns = new ArrayList<>();
        for (String column : m.group(8).split(",")) {
            columns.add(column.strip());
        }
        if (columns.size() > Long.SIZE) {
            throw new SqlStatementException(statement, name + " sums at most " + Long.SIZE + " columns, got "
                    + columns.size());
        }
        AnomalyRule rule = null;
        if (m.group(9) != null) {
            rule = new AnomalyRule(sigma(statement, m.group(9)), minSamples(statement, m.group(10)),
                    columns.toArray(new String[0]));
        }
        return new RollingSums(name, m.group(1), m.group(3), m.group(4), m.group(5), amount * unitMillis,
                "INTERVAL '" + amount + "' " + unit + "(" + Math.max(2, Long.toString(amount).length()) + ")", columns,
                rule);
    }

    /**
     * ROLLING_ANOMALIES's sigma: a SQL numeric literal above 0, which the step turns into the double that Flink's SQL
     * multiplies a DOUBLE by (DecimalDataUtils.doubleValue of the literal's DECIMAL; an INT literal gives the same).
     */
    private static String sigma(SqlStatement statement, String text) {
        String sigma = text.strip();
        BigDecimal value = SIGMA.matcher(sigma).matches() ? new BigDecimal(sigma) : BigDecimal.ZERO;
        if (value.signum() <= 0 || value.precision() > DecimalType.MAX_PRECISION || value.scale() > DecimalType.MAX_PRECISION) {
            throw new SqlStatementException(statement, ANOMALIES + " sigma (its 6th argument) must be a positive number "
                    + "such as 3 or 2.5 (at most " + DecimalType.MAX_PRECISION + " digits), got '" + sigma + "'");
        }
        return sigma;
    }

    /** ROLLING_ANOMALIES's minimum of readings before a row (its 7th argument): an integer of at least 1. */
    private static long minSamples(SqlStatement statement, String text) {
        String minSamples = text.strip();
        long value = COUNT.matcher(minSamples).matches() ? Long.parseLong(minSamples) : 0;
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new SqlStatementException(statement, ANOMALIES + " min samples (its 7th argument) must be an integer "
                    + "from 1 to " + Integer.MAX_VALUE + ", got '" + minSamples + "'");
        }
        return value;
    }

    /** Checks the statement against the input's schema and registers the step's view (and, streaming, the input's). */
    public static void apply(TableEnvironment tEnv, SqlStatement statement) {
        RollingSums step = parse(statement);
        Table in;
        try {
            in = tEnv.from(step.input);
        } catch (RuntimeException e) {
            throw new SqlStatementException(statement, step.name + " reads table " + step.input + ", which does not exist", e);
        }
        ResolvedSchema schema = in.getResolvedSchema();
        step.check(statement, schema);
        try {
            if (tEnv instanceof StreamTableEnvironment) {
                step.stream((StreamTableEnvironment) tEnv, in, schema);
            } else {
                tEnv.executeSql(step.rule == null ? step.overWindowSql() : step.anomaliesSql(schema));
            }
        } catch (SqlStatementException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SqlStatementException(statement, "failed: " + e.getMessage(), e);
        }
    }

    private void check(SqlStatement statement, ResolvedSchema schema) {
        List<String> names = schema.getColumnNames();
        LogicalType keyType = type(statement, schema, key, "key");
        if (keyType.getTypeRoot() != LogicalTypeRoot.VARCHAR && keyType.getTypeRoot() != LogicalTypeRoot.CHAR) {
            throw new SqlStatementException(statement, name + " key " + key + " must be a STRING column, got "
                    + keyType.asSummaryString());
        }
        LogicalType timeType = type(statement, schema, time, "time");
        if (!LogicalTypeChecks.isRowtimeAttribute(timeType)) {
            throw new SqlStatementException(statement, name + " time " + time + " must be the rowtime attribute of "
                    + input + " (a column with a WATERMARK), got " + timeType.asSummaryString());
        }
        for (String column : columns) {
            LogicalType type = type(statement, schema, column, "column");
            if (type.getTypeRoot() != LogicalTypeRoot.DOUBLE) {
                throw new SqlStatementException(statement, name + " column " + column + " must be DOUBLE, got "
                        + type.asSummaryString());
            }
            for (String suffix : List.of(COUNT_SUFFIX, SUM_SUFFIX, SUM_SQ_SUFFIX)) {
                if (rule == null && names.contains(column + suffix)) {
                    throw new SqlStatementException(statement, name + " adds column " + column + suffix + ", which "
                            + input + " already has");
                }
            }
        }
        if (rule != null) {
            for (String added : AnomalyRule.COLUMNS) {
                if (names.contains(added)) {
                    throw new SqlStatementException(statement, name + " adds column " + added + ", which " + input
                            + " already has");
                }
            }
        }
        for (Column c : schema.getColumns()) {
            if (!c.isPhysical()) {
                throw new SqlStatementException(statement, name + " reads physical columns only; " + input
                        + " has computed or metadata column " + c.getName() + " (read a view that selects it instead)");
            }
        }
    }

    private LogicalType type(SqlStatement statement, ResolvedSchema schema, String column, String role) {
        return schema.getColumn(column).map(c -> c.getDataType().getLogicalType()).orElseThrow(() ->
                new SqlStatementException(statement, name + " " + role + " " + column + " is not a column of " + input
                        + " (columns: " + String.join(", ", schema.getColumnNames()) + ")"));
    }

    /** The same view as an OVER window: the definition of the step, planned where no DataStream bridge exists. */
    String overWindowSql() {
        return "CREATE TEMPORARY VIEW " + view + " AS " + sumsQuery(COUNT_SUFFIX, SUM_SUFFIX, SUM_SQ_SUFFIX);
    }

    /** The rows of the input with a key, and per column its count, sum and sum of squares over the frame. */
    private String sumsQuery(String countSuffix, String sumSuffix, String sumSqSuffix) {
        StringBuilder sql = new StringBuilder("SELECT *");
        for (String c : columns) {
            sql.append(", COUNT(").append(c).append(") OVER w AS ").append(quote(c + countSuffix))
                    .append(", SUM(").append(c).append(") OVER w AS ").append(quote(c + sumSuffix))
                    .append(", SUM(").append(c).append(" * ").append(c).append(") OVER w AS ").append(quote(c + sumSqSuffix));
        }
        return sql.append(" FROM ").append(input).append(" WHERE ").append(key).append(" IS NOT NULL WINDOW w AS (PARTITION BY ")
                .append(key).append(" ORDER BY ").append(time).append(" RANGE BETWEEN ").append(interval)
                .append(" PRECEDING AND CURRENT ROW)").toString();
    }

    /**
     * ROLLING_ANOMALIES as SQL, the definition of that step, planned where no DataStream bridge exists: per column,
     * the mean and population standard deviation of the frame without the row, and the rows more than sigma standard
     * deviations from that mean, after at least min samples readings, in one UNION ALL.
     */
    String anomaliesSql(ResolvedSchema schema) {
        // The sums' columns get names no input column can have (identifiers of the input have no '$').
        String count = "$count";
        String sum = "$sum";
        String sumSq = "$sumsq";
        String sums = sumsQuery(count, sum, sumSq);
        String inputColumns = schema.getColumnNames().stream().map(RollingSums::quote)
                .collect(java.util.stream.Collectors.joining(", "));
        List<String> selects = new ArrayList<>();
        for (String c : columns) {
            String n = "(" + quote(c + count) + " - 1)";
            String mean = "(" + quote(c + sum) + " - " + c + ") / NULLIF(" + n + ", 0)";
            String std = "SQRT(GREATEST((" + quote(c + sumSq) + " - " + c + " * " + c + ") / NULLIF(" + n + ", 0) - POWER("
                    + mean + ", 2), 0.0))";
            selects.add("SELECT " + inputColumns + ", CAST('" + c + "' AS STRING) AS metric, " + c + " AS reading, "
                    + "`$m` AS window_mean, `$s` AS window_stddev, (" + c + " - `$m`) / `$s` AS z_score, "
                    + "`$n` AS window_samples FROM (SELECT *, " + n + " AS `$n`, " + mean + " AS `$m`, " + std
                    + " AS `$s` FROM (" + sums + ")) WHERE " + c + " IS NOT NULL AND `$n` >= " + rule.minSamples
                    + " AND `$s` > 0 AND ABS(" + c + " - `$m`) > " + rule.sigmaText + " * `$s`");
        }
        return "CREATE TEMPORARY VIEW " + view + " AS " + String.join(" UNION ALL ", selects);
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    private void stream(StreamTableEnvironment tEnv, Table in, ResolvedSchema schema) {
        List<String> names = schema.getColumnNames();
        List<DataTypes.Field> fields = new ArrayList<>();
        Schema.Builder inputSchema = Schema.newBuilder();
        for (Column c : schema.getColumns()) {
            DataType type = plain(c.getDataType());
            fields.add(DataTypes.FIELD(c.getName(), type));
            inputSchema.column(c.getName(), type);
        }
        DataType rowType = DataTypes.ROW(fields.toArray(new DataTypes.Field[0])).bridgedTo(RowData.class);
        DataStream<RowData> rows = tEnv.toDataStream(in, rowType);

        int keyIndex = names.indexOf(key);
        int timeIndex = names.indexOf(time);
        int[] metrics = columns.stream().mapToInt(names::indexOf).toArray();
        int precision = LogicalTypeChecks.getPrecision(schema.getColumnDataTypes().get(timeIndex).getLogicalType());
        List<DataTypes.Field> outFields = new ArrayList<>(fields);
        Schema.Builder outSchema = Schema.newBuilder();
        for (DataTypes.Field f : fields) {
            outSchema.column(f.getName(), f.getDataType());
        }
        List<DataTypes.Field> added = new ArrayList<>();
        if (rule == null) {
            for (String c : columns) {
                added.addAll(List.of(DataTypes.FIELD(c + COUNT_SUFFIX, DataTypes.BIGINT().notNull()),
                        DataTypes.FIELD(c + SUM_SUFFIX, DataTypes.DOUBLE()), DataTypes.FIELD(c + SUM_SQ_SUFFIX, DataTypes.DOUBLE())));
            }
        } else {
            added.addAll(AnomalyRule.fields());
        }
        for (DataTypes.Field f : added) {
            outFields.add(f);
            outSchema.column(f.getName(), f.getDataType());
        }
        RowType inType = (RowType) rowType.getLogicalType();
        RowType outType = (RowType) DataTypes.ROW(outFields.toArray(new DataTypes.Field[0])).getLogicalType();
        DataStream<RowData> sums = rows
                .filter(new KeyPresent(keyIndex)).name(name + " " + view + ": rows with a key")
                .keyBy(new KeyOf(keyIndex))
                .process(new RollingSumsFunction(InternalTypeInfo.of(inType), timeIndex, precision, metrics, rangeMillis, rule))
                .returns(InternalTypeInfo.of(outType))
                .name(name + " " + view + " (" + key + ", " + interval + ", " + String.join(", ", columns) + ")")
                .uid("rolling-sums-" + view);
        // Later statements read the input from the same stream as the step, so that its source is read once.
        if (Arrays.asList(tEnv.listTemporaryViews()).contains(input)) {
            tEnv.dropTemporaryView(input);
        }
        tEnv.createTemporaryView(input, tEnv.fromDataStream(rows, inputSchema.watermark(time, "SOURCE_WATERMARK()").build()));
        tEnv.createTemporaryView(view, tEnv.fromDataStream(sums, outSchema.watermark(time, "SOURCE_WATERMARK()").build()));
    }

    /** The type without its time attribute (a rowtime column becomes a plain timestamp of the same precision). */
    private static DataType plain(DataType type) {
        LogicalType logical = type.getLogicalType();
        if (!LogicalTypeChecks.isTimeAttribute(logical)) {
            return type;
        }
        int precision = LogicalTypeChecks.getPrecision(logical);
        DataType timestamp = logical.getTypeRoot() == LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE
                ? DataTypes.TIMESTAMP_LTZ(precision) : DataTypes.TIMESTAMP(precision);
        return logical.isNullable() ? timestamp : timestamp.notNull();
    }

    private static final class KeyPresent implements FilterFunction<RowData> {
        private static final long serialVersionUID = 1L;
        private final int index;

        KeyPresent(int index) {
            this.index = index;
        }

        @Override
        public boolean filter(RowData row) {
            return !row.isNullAt(index);
        }
    }

    private static final class KeyOf implements KeySelector<RowData, String> {
        private static final long serialVersionUID = 1L;
        private final int index;

        KeyOf(int index) {
            this.index = index;
        }

        @Override
        public String getKey(RowData row) {
            return row.getString(index).toString();
        }
    }
}
