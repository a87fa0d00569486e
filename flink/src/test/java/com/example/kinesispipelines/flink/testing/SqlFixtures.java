package com.example.kinesispipelines.flink.testing;

import com.example.kinesispipelines.flink.JobProperties;
import com.example.kinesispipelines.flink.KinesisSqlJob;
import com.example.kinesispipelines.flink.SqlStatement;
import com.example.kinesispipelines.flink.StatementLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Runs a shipped script verbatim except for the connector options of its tables, which name test connectors instead
 * of Kinesis (schemas, computed columns, watermarks, views and INSERTs are untouched). The statements reach the job
 * as {@code statement.NNN} runtime properties, continuation parts included, through {@link KinesisSqlJob#prepare}.
 */
public final class SqlFixtures {
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "^(?:\\s|--[^\\n]*\\n|/\\*.*?\\*/)*CREATE\\s+TABLE\\s+([A-Za-z_][A-Za-z0-9_]*)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern WITH = Pattern.compile("WITH\\s*\\(", Pattern.CASE_INSENSITIVE);

    private SqlFixtures() {}

    /** The statements of a bundled script. */
    public static List<SqlStatement> script(String resource) {
        return StatementLoader.fromScript(StatementLoader.readResource(resource), resource);
    }

    /**
     * Replaces the WITH clause of every CREATE TABLE with {@code options.get(table)}; a table missing from the map is an
     * error, so that no Kinesis table survives into a test.
     */
    public static List<SqlStatement> withConnectors(List<SqlStatement> statements, Map<String, String> options) {
        List<SqlStatement> out = new ArrayList<>();
        Map<String, String> unused = new HashMap<>(options);
        for (SqlStatement statement : statements) {
            Matcher create = CREATE_TABLE.matcher(statement.text());
            if (!create.find()) {
                out.add(statement);
                continue;
            }
            String table = create.group(1);
            String with = unused.remove(table);
            if (with == null) {
                throw new IllegalArgumentException("no test connector options for table " + table);
            }
            Matcher m = WITH.matcher(statement.text());
            int last = -1;
            while (m.find()) {
                last = m.start();
            }
            if (with.contains("'test-lines'") || with.contains("'bench-gen'")) {
                with += formatOptions(statement.text().substring(last));
            }
            out.add(statement.withText(statement.text().substring(0, last) + "WITH (" + with + ")"));
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("the script has no tables " + unused.keySet());
        }
        return out;
    }

    /**
     * The script's {@code 'format'} option and that format's options, which a test source keeps: each line's bytes go
     * through the job's real format ({@code 'raw'} included), as the Kinesis source hands a record's bytes to it.
     */
    private static String formatOptions(String with) {
        Matcher format = Pattern.compile("'format'\\s*=\\s*'([^']+)'").matcher(with);
        if (!format.find()) {
            return "";
        }
        StringBuilder options = new StringBuilder(", " + format.group());
        Matcher option = Pattern.compile("'" + Pattern.quote(format.group(1)) + "\\.[^']+'\\s*=\\s*'[^']*'").matcher(with);
        while (option.find()) {
            options.append(", ").append(option.group());
        }
        return options.toString();
    }

    /** {@code 'connector' = 'test-lines'} options for registered lines. */
    public static String lines(String dataId) {
        return "'connector' = 'test-lines', 'data-id' = '" + dataId + "'";
    }

    /** {@code 'connector' = 'test-collect'} options. */
    public static String collect(String sinkId) {
        CollectSinkFactory.clear(sinkId);
        return "'connector' = 'test-collect', 'sink-id' = '" + sinkId + "'";
    }

    /**
     * Runtime property groups holding the statements as {@code statement.NNN} keys (split into {@code .part.K} keys
     * past 2,048 characters, as the construct does) and the parameters.
     */
    public static Map<String, Properties> groups(List<SqlStatement> statements, Map<String, String> parameters) {
        Properties sql = new Properties();
        for (int i = 0; i < statements.size(); i++) {
            String text = statements.get(i).text();
            String key = String.format("statement.%03d", i);
            int max = JobProperties.MAX_VALUE_LENGTH;
            sql.setProperty(key, text.substring(0, Math.min(max, text.length())));
            for (int part = 1; part * max < text.length(); part++) {
                sql.setProperty(key + ".part." + part, text.substring(part * max, Math.min((part + 1) * max, text.length())));
            }
        }
        Properties params = new Properties();
        params.putAll(parameters);
        Map<String, Properties> groups = new HashMap<>();
        groups.put(JobProperties.SQL_STATEMENTS_GROUP, sql);
        groups.put(JobProperties.SQL_PARAMETERS_GROUP, params);
        return groups;
    }

    /**
     * A table environment on the test MiniCluster with the given parallelism, checkpointing every 100 ms: the test
     * source's {@code 'single'} mode starts its one emitting subtask after a checkpoint that follows the other subtasks'
     * end of input (see {@link RecordsSource}).
     */
    public static StreamTableEnvironment tableEnv(int parallelism) {
        return tableEnv(parallelism, "hashmap", true);
    }

    /**
     * Parallelism 1 and no checkpoints, on a state backend ({@code hashmap} or {@code rocksdb}): every operator sees
     * the rows and watermarks in the order of the lines, and a two-phase aggregate splits its partial sums at the same
     * rows in every run (a checkpoint flushes them wherever it falls, which changes the last bits of an AVG), so two
     * runs can be compared to the last bit.
     */
    public static StreamTableEnvironment orderedTableEnv(String stateBackend) {
        return tableEnv(1, stateBackend, false);
    }

    private static StreamTableEnvironment tableEnv(int parallelism, String stateBackend, boolean checkpointing) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        if (checkpointing) {
            env.enableCheckpointing(100);
        }
        // A watermark after every record instead of every 200 ms of processing time: the tests that drop late events
        // assume the watermark has passed by the time the late record comes, which a periodic watermark makes depend on
        // how fast the source runs (it failed under load).
        env.getConfig().setAutoWatermarkInterval(0);
        return StreamTableEnvironment.create(env);
    }

    /** A table environment that checkpoints every {@code intervalMs} and restarts up to 3 times. */
    public static StreamTableEnvironment checkpointingTableEnv(int parallelism, long intervalMs) {
        return checkpointingTableEnv(parallelism, intervalMs, "hashmap");
    }

    /** {@link #checkpointingTableEnv(int, long)} on a state backend ({@code hashmap} or {@code rocksdb}). */
    public static StreamTableEnvironment checkpointingTableEnv(int parallelism, long intervalMs, String stateBackend) {
        // Configuration keys rather than RestartStrategies, which Flink 2.x removed.
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(intervalMs);
        return StreamTableEnvironment.create(env);
    }

    /** Prepares the job from the groups (as the entry point does) and runs it to the end of its bounded input. */
    public static void run(StreamTableEnvironment tEnv, Map<String, Properties> groups) throws Exception {
        StatementSet set = KinesisSqlJob.prepare(tEnv, groups);
        TableResult result = set.execute();
        result.await(3, java.util.concurrent.TimeUnit.MINUTES);
    }

    /** Epoch milliseconds of 2024-01-01T00:00:00Z plus an offset, the time base of the test data. */
    public static long at(Duration offset) {
        return 1704067200000L + offset.toMillis();
    }
}
