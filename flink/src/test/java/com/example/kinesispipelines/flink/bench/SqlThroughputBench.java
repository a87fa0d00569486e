package com.example.kinesispipelines.flink.bench;

import com.example.kinesispipelines.flink.JobProperties;
import com.example.kinesispipelines.flink.KinesisSqlJob;
import com.example.kinesispipelines.flink.SqlStatement;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.util.FileUtils;

/**
 * Throughput of each shipped script on a local MiniCluster, measured as production runs it: the script verbatim, its
 * Kinesis source replaced by a generator whose records' bytes go through the table's real format (as the Kinesis source
 * delivers them), its sinks by blackholes, on the heap and the RocksDB state backend (Managed Flink runs RocksDB), with
 * checkpoints every 60 s (the service's default). Each run reports apart: start-up (job submitted to its first record),
 * warm-up (the first {@code --warmup} records, while the JIT compiles the job's code) and steady state (the rest), the
 * steady state as records per CPU-second of the whole JVM (every Flink thread, GC and JIT included).
 * Writes {@code bench/results/flink.json} and {@code flink.md}, and, after a full run (both jobs on RocksDB, no
 * {@code --param}), the planning figures {@code lib/flink/private/throughput-figures.ts} that KPU sizing reads.
 * Usage: {@code bash flink/bench.sh [--records N] [--warmup N] [--parallelism P] [--job iot|clickstream]
 * [--backend heap|rocksdb] [--checkpoint-seconds S] [--param key=value]... [--no-write]}.
 */
public final class SqlThroughputBench {
    private SqlThroughputBench() {}

    /** One measured run. */
    record Result(String job, String script, String backend, long records, long warmup, int parallelism,
            double startupWall, double startupCpu, double warmupWall, double warmupCpu, double steadyWall,
            double steadyCpu) {
        double recordsPerCpuSecond() {
            return (records - warmup) / steadyCpu;
        }

        double recordsPerSecondPerCore() {
            return (records - warmup) / steadyWall / Math.min(parallelism, Runtime.getRuntime().availableProcessors());
        }
    }

    public static void main(String[] args) throws Exception {
        long records = 2_000_000;
        Long warmupOption = null;
        int parallelism = Runtime.getRuntime().availableProcessors();
        int checkpointSeconds = 60;
        String onlyJob = null;
        String onlyBackend = null;
        boolean write = true;
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records": records = Long.parseLong(args[++i]); break;
                case "--warmup": warmupOption = Long.parseLong(args[++i]); break;
                case "--parallelism": parallelism = Integer.parseInt(args[++i]); break;
                case "--checkpoint-seconds": checkpointSeconds = Integer.parseInt(args[++i]); break;
                case "--job": case "--script": onlyJob = args[++i]; break;
                case "--backend": onlyBackend = args[++i]; break;
                case "--no-write": write = false; break;
                case "--param": {
                    String[] kv = args[++i].split("=", 2);
                    parameters.put(kv[0], kv[1]);
                    break;
                }
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (options: --records N, --warmup N, --parallelism P, --job iot|clickstream,"
                        + " --backend heap|rocksdb, --checkpoint-seconds S, --param key=value, --no-write)");
            }
        }
        // Warm-up: a fifth of the records by default (400,000 of 2,000,000: the JIT has compiled the job's code and the
        // IoT window holds its steady number of readings). 2,000,000 because at 500,000 the clickstream job's steady
        // state lasted 4 s, and the JIT's compilations of those seconds (counted: the whole JVM's CPU) halved its figure.
        long warmup = warmupOption != null ? warmupOption : records / 5;
        if (warmup <= 0 || warmup >= records) {
            throw new IllegalArgumentException("--warmup must be > 0 and below --records, got " + warmup);
        }
        Map<String, String> jobs = new LinkedHashMap<>();
        jobs.put("iot", JobProperties.IOT_ANOMALIES_SQL);
        jobs.put("clickstream", JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL);
        List<String> backends = List.of("heap", "rocksdb");
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Result> results = new ArrayList<>();
        for (String backend : backends) {
            if (onlyBackend != null && !onlyBackend.equals(backend)) {
                continue;
            }
            for (Map.Entry<String, String> job : jobs.entrySet()) {
                if (onlyJob != null && !onlyJob.equals(job.getKey())) {
                    continue;
                }
                Result result = run(job.getKey(), job.getValue(), backend, records, warmup, parallelism,
                        checkpointSeconds, parameters);
                System.out.println(String.format(Locale.ROOT, "%s / %s: %,.0f records per CPU-second (steady state)",
                        result.job(), result.backend(), result.recordsPerCpuSecond()));
                results.add(result);
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Map<String, Double> generator = new LinkedHashMap<>();
        for (String job : jobs.keySet()) {
            generator.put(job, generatorRecordsPerCpuSecond(job));
        }
        String machine = String.format(Locale.ROOT, "%d cores, load average %.1f before / %.1f after, %s %s, %s %s",
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.arch"));
        String command = "npm run bench:flink" + (args.length == 0 ? "" : " -- " + String.join(" ", args));
        String date = ZonedDateTime.now(ZoneOffset.UTC).withNano(0).format(DateTimeFormatter.ISO_INSTANT);
        String markdown = markdown(results, generator, command, date, machine, checkpointSeconds, parameters);
        System.out.println();
        System.out.println(markdown);
        if (write) {
            Path out = Paths.get("..", "bench", "results");
            Files.createDirectories(out);
            Files.writeString(out.resolve("flink.md"), markdown, StandardCharsets.UTF_8);
            Files.writeString(out.resolve("flink.json"),
                    json(results, generator, command, date, machine, checkpointSeconds, parameters), StandardCharsets.UTF_8);
            System.out.println("written: bench/results/flink.md, bench/results/flink.json");
            String why = planningSkipped(results, parameters, records);
            if (why == null) {
                Files.writeString(Paths.get("..", "lib", "flink", "private", "throughput-figures.ts"),
                        planningModule(results, command, date.substring(0, 10), machine), StandardCharsets.UTF_8);
                System.out.println("written: lib/flink/private/throughput-figures.ts (the KPU planning figures)");
            } else {
                System.out.println("planning figures not written: " + why);
            }
        }
    }

    /** Why a run must not become the planning figures, or null. */
    static String planningSkipped(List<Result> results, Map<String, String> parameters, long records) {
        if (!parameters.isEmpty()) {
            return "--param changes the scripts' parameters";
        }
        if (records < 2_000_000) {
            return "fewer than 2,000,000 records per run";
        }
        for (String job : List.of("iot", "clickstream")) {
            if (results.stream().noneMatch(r -> r.job().equals(job) && r.backend().equals("rocksdb"))) {
                return "no RocksDB run of " + job;
            }
        }
        return null;
    }

    /** CPU time of this JVM (every thread: the MiniCluster runs in it). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Runs one script over {@code records} generated records on a fresh MiniCluster. */
    static Result run(String job, String resource, String backend, long records, long warmup, int parallelism,
            int checkpointSeconds, Map<String, String> parameters) throws Exception {
        Path checkpoints = Files.createTempDirectory("bench-checkpoints");
        Map<String, String> options = new LinkedHashMap<>();
        options.put("state.backend.type", "heap".equals(backend) ? "hashmap" : "rocksdb");
        options.put("state.backend.incremental", "true");
        options.put("state.checkpoints.dir", checkpoints.toUri().toString());
        // RocksDB's block cache and write buffers live in managed memory: 256 MB per slot.
        options.put("taskmanager.memory.managed.size", (256 * parallelism) + "m");
        if (checkpointSeconds > 0) {
            options.put("execution.checkpointing.interval", checkpointSeconds + " s");
        }
        Configuration conf = Configuration.fromMap(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        String runId = job + "/" + backend + "/" + UUID.randomUUID();
        String blackhole = "'connector' = 'blackhole'";
        Map<String, String> tables = new LinkedHashMap<>();
        String gen = "'connector' = 'bench-gen', 'kind' = '" + job + "', 'records' = '" + records + "', 'run-id' = '"
                + runId + "', 'warmup' = '" + (warmup / parallelism) + "'";
        if ("iot".equals(job)) {
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
        long cpuStart = processCpuNanos();
        long wallStart = System.nanoTime();
        set.execute().getJobClient().orElseThrow().getJobExecutionResult().get();
        long cpuEnd = processCpuNanos();
        long wallEnd = System.nanoTime();
        FileUtils.deleteDirectoryQuietly(checkpoints.toFile());
        GeneratedSourceFactory.Marks marks = GeneratedSourceFactory.marks(runId);
        if (marks.first.size() != parallelism || marks.warm.size() != parallelism) {
            throw new IllegalStateException("the generator's subtasks did not all pass their warm-up");
        }
        // Start-up ends at the first record of any subtask; steady state begins once every subtask is past its warm-up.
        long[] first = marks.first.values().stream().min(Comparator.comparingLong(m -> m[1])).orElseThrow();
        long[] warm = marks.warm.values().stream().max(Comparator.comparingLong(m -> m[1])).orElseThrow();
        long warmRecords = (warmup / parallelism) * parallelism;
        return new Result(job, resource, backend, records, warmRecords, parallelism,
                (first[1] - wallStart) / 1e9, (first[0] - cpuStart) / 1e9,
                (warm[1] - first[1]) / 1e9, (warm[0] - first[0]) / 1e9,
                (wallEnd - warm[1]) / 1e9, (cpuEnd - warm[0]) / 1e9);
    }

    /** The generator alone (payload text and its UTF-8 bytes), one thread: part of every figure above. */
    static double generatorRecordsPerCpuSecond(String job) {
        var threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            long before = threads.getCurrentThreadCpuTime();
            for (long g = 0; g < 300_000; g++) {
                sink += GeneratedSourceFactory.payload(job, g).getBytes(StandardCharsets.UTF_8).length;
            }
            if (round == 1) {
                double seconds = (threads.getCurrentThreadCpuTime() - before) / 1e9;
                return sink > 0 ? 300_000 / seconds : 0;
            }
        }
        throw new IllegalStateException();
    }

    static String markdown(List<Result> results, Map<String, Double> generator, String command, String date,
            String machine, int checkpointSeconds, Map<String, String> parameters) {
        StringBuilder md = new StringBuilder();
        md.append("# Flink SQL throughput\n\n");
        md.append("Generated by `").append(command).append("` (flink/bench.sh) on ").append(date).append(": ")
                .append(machine).append(", Flink ").append(EnvironmentInformation.getVersion()).append(".\n");
        md.append("Each shipped script verbatim on a local MiniCluster; its Kinesis source replaced by a generator whose"
                + " records' bytes go through the script's real format, its sinks by blackholes; checkpoints every ")
                .append(checkpointSeconds > 0 ? checkpointSeconds + " s" : "never (off)")
                .append(parameters.isEmpty() ? "" : "; parameters " + parameters).append(".\n");
        md.append("Start-up: job submitted to its first record. Warm-up: the first records, excluded from the steady"
                + " state. Records per CPU-second: steady-state records / CPU seconds of the whole JVM (all Flink"
                + " threads, GC, JIT), the figure to size from; records/s per core drops whenever other processes share"
                + " the cores.\n\n");
        md.append("| job | state backend | records | parallelism | start-up s (CPU s) | warm-up records | warm-up s (CPU s)"
                + " | steady records/s per core | **steady records per CPU-second** |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %d | %.1f (%.1f) | %,d | %.1f (%.1f) | %,.0f | **%,.0f** |%n",
                    r.job(), r.backend(), r.records(), r.parallelism(), r.startupWall(), r.startupCpu(), r.warmup(),
                    r.warmupWall(), r.warmupCpu(), r.recordsPerSecondPerCore(), r.recordsPerCpuSecond()));
        }
        md.append("\nThe generator alone (payload text and bytes, included in the figures above): ");
        List<String> parts = new ArrayList<>();
        generator.forEach((job, rate) -> parts.add(String.format(Locale.ROOT, "%s %,.0f", job, rate)));
        md.append(String.join(", ", parts)).append(" records per CPU-second.\n");
        return md.toString();
    }

    static String json(List<Result> results, Map<String, Double> generator, String command, String date,
            String machine, int checkpointSeconds, Map<String, String> parameters) {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"command\": ").append(quote(command)).append(",\n");
        json.append("  \"date\": ").append(quote(date)).append(",\n");
        json.append("  \"machine\": ").append(quote(machine)).append(",\n");
        json.append("  \"flinkVersion\": ").append(quote(EnvironmentInformation.getVersion())).append(",\n");
        json.append("  \"checkpointIntervalSeconds\": ").append(checkpointSeconds).append(",\n");
        json.append("  \"parameters\": {");
        List<String> params = new ArrayList<>();
        parameters.forEach((k, v) -> params.add(quote(k) + ": " + quote(v)));
        json.append(String.join(", ", params)).append("},\n");
        json.append("  \"generatorRecordsPerCpuSecond\": {");
        List<String> gens = new ArrayList<>();
        generator.forEach((k, v) -> gens.add(quote(k) + ": " + Math.round(v)));
        json.append(String.join(", ", gens)).append("},\n");
        json.append("  \"runs\": [\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            json.append(String.format(Locale.ROOT, "    {\"job\": %s, \"script\": %s, \"backend\": %s, \"records\": %d,"
                    + " \"parallelism\": %d, \"startup\": {\"wallSeconds\": %.2f, \"cpuSeconds\": %.2f},"
                    + " \"warmup\": {\"records\": %d, \"wallSeconds\": %.2f, \"cpuSeconds\": %.2f},"
                    + " \"steady\": {\"records\": %d, \"wallSeconds\": %.2f, \"cpuSeconds\": %.2f,"
                    + " \"recordsPerCpuSecond\": %d, \"recordsPerSecondPerCore\": %d}}%s%n",
                    quote(r.job()), quote(r.script()), quote(r.backend()), r.records(), r.parallelism(),
                    r.startupWall(), r.startupCpu(), r.warmup(), r.warmupWall(), r.warmupCpu(),
                    r.records() - r.warmup(), r.steadyWall(), r.steadyCpu(), Math.round(r.recordsPerCpuSecond()),
                    Math.round(r.recordsPerSecondPerCore()), i + 1 < results.size() ? "," : ""));
        }
        json.append("  ]\n}\n");
        return json.toString();
    }

    /** The TypeScript module of planning figures (RocksDB, steady state) that lib/flink/private/sizing.ts reads. */
    static String planningModule(List<Result> results, String command, String day, String machine) {
        long iot = rocksDb(results, "iot");
        long clickstream = rocksDb(results, "clickstream");
        return "// Written by `" + command + "` (flink/bench.sh) on " + day + ": rerun it to update, or edit the figures\n"
                + "// by hand from bench/results/flink.json. sizing.ts turns them into records/s per KPU.\n\n"
                + "/** Steady-state records per CPU-second of the shipped SQL jobs on the RocksDB state backend (what Managed Flink runs). */\n"
                + "export const MEASURED_THROUGHPUT = {\n"
                + "  command: " + tsString(command) + ",\n"
                + "  date: " + tsString(day) + ",\n"
                + "  machine: " + tsString(machine) + ",\n"
                + "  /** sql/iot-anomalies.sql. */\n"
                + "  iotRecordsPerCpuSecond: " + underscores(iot) + ",\n"
                + "  /** sql/clickstream-top-products.sql. */\n"
                + "  clickstreamRecordsPerCpuSecond: " + underscores(clickstream) + ",\n"
                + "} as const;\n";
    }

    private static long rocksDb(List<Result> results, String job) {
        return results.stream().filter(r -> r.job().equals(job) && r.backend().equals("rocksdb"))
                .mapToLong(r -> Math.round(r.recordsPerCpuSecond())).findFirst().orElseThrow();
    }

    private static String underscores(long n) {
        return String.format(Locale.ROOT, "%,d", n).replace(',', '_');
    }

    private static String tsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
