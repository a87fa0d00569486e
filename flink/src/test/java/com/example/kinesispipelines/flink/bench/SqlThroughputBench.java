package com.example.kinesispipelines.flink.bench;

import com.example.kinesispipelines.flink.JobProperties;
import com.example.kinesispipelines.flink.KinesisSqlJob;
import com.example.kinesispipelines.flink.SqlStatement;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Throughput of each shipped script on a local MiniCluster: the script verbatim, its Kinesis source replaced by a
 * generator of realistic JSON payloads and its sinks by blackholes. Prints records per second, per second per core
 * (wall-clock job runtime, planning excluded) and per CPU second (one warm-up run first).
 * Usage: {@code bash flink/bench.sh [--records N] [--parallelism P] [--script iot|clickstream] [--param key=value]...}
 * ({@code --param} sets a SqlParameters value, for example {@code stats.window.minutes=1}).
 */
public final class SqlThroughputBench {
    private SqlThroughputBench() {}

    public static void main(String[] args) throws Exception {
        long records = 2_000_000;
        int parallelism = Runtime.getRuntime().availableProcessors();
        String only = null;
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records": records = Long.parseLong(args[++i]); break;
                case "--parallelism": parallelism = Integer.parseInt(args[++i]); break;
                case "--script": only = args[++i]; break;
                case "--param": {
                    String[] kv = args[++i].split("=", 2);
                    parameters.put(kv[0], kv[1]);
                    break;
                }
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int cores = Math.min(parallelism, Runtime.getRuntime().availableProcessors());
        Map<String, String> scripts = new LinkedHashMap<>();
        scripts.put("iot", JobProperties.IOT_ANOMALIES_SQL);
        scripts.put("clickstream", JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-34s %10s %4s %8s %10s %14s %9s %16s", "script", "records", "par", "seconds",
                "records/s", "records/s/core", "cpu-s", "records/cpu-s"));
        for (Map.Entry<String, String> script : scripts.entrySet()) {
            if (only != null && !only.equals(script.getKey())) {
                continue;
            }
            run(script.getKey(), script.getValue(), Math.max(records / 10, 10_000), parallelism, parameters); // warm-up
            double[] measured = run(script.getKey(), script.getValue(), records, parallelism, parameters);
            double perSecond = records / measured[0];
            lines.add(String.format(Locale.ROOT, "%-34s %10d %4d %8.1f %10.0f %14.0f %9.1f %16.0f", script.getValue(), records,
                    parallelism, measured[0], perSecond, perSecond / cores, measured[1], records / measured[1]));
        }
        System.out.println();
        System.out.println("records/s/core = records / job wall-clock seconds / cores used (drops when other processes"
                + " share the cores); records/cpu-s = records / CPU seconds the JVM spent while the job ran (JIT and GC"
                + " included), the figure to size from");
        System.out.println("Flink SQL throughput on a MiniCluster (" + Runtime.getRuntime().availableProcessors()
                + " cores available, " + cores + " used; generated JSON source, blackhole sinks"
                + (parameters.isEmpty() ? "" : "; " + parameters) + ")");
        lines.forEach(System.out::println);
    }

    /** CPU time of this JVM (every thread: the MiniCluster runs in it). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Runs one script over {@code records} generated records; returns {wall-clock job seconds, CPU seconds}. */
    static double[] run(String kind, String resource, long records, int parallelism, Map<String, String> parameters)
            throws Exception {
        Configuration conf = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        String blackhole = "'connector' = 'blackhole'";
        Map<String, String> tables = new LinkedHashMap<>();
        String gen = "'connector' = 'bench-gen', 'kind' = '" + kind + "', 'records' = '" + records + "'";
        if ("iot".equals(kind)) {
            tables.put("iot_raw", gen);
            tables.put("iot_anomalies", blackhole);
            tables.put("iot_machine_minutes", blackhole);
            tables.put("iot_dead_letters", blackhole);
        } else {
            tables.put("clicks_raw", gen);
            tables.put("top_products", blackhole);
            tables.put("traffic_minutes", blackhole);
            tables.put("click_dead_letters", blackhole);
        }
        List<SqlStatement> statements = SqlFixtures.withConnectors(SqlFixtures.script(resource), tables);
        StatementSet set = KinesisSqlJob.prepare(tEnv, SqlFixtures.groups(statements, parameters));
        long cpuBefore = processCpuNanos();
        TableResult result = set.execute();
        JobExecutionResult done = result.getJobClient().orElseThrow().getJobExecutionResult().get();
        return new double[] {done.getNetRuntime() / 1000.0, (processCpuNanos() - cpuBefore) / 1e9};
    }
}
