package com.example.kinesispipelines.flink.bench;

import com.example.kinesispipelines.flink.testing.RecordsSource;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;

/**
 * Table source {@code 'connector' = 'bench-gen'}: generates JSON payloads like the pipelines' producers (the events of
 * schemas/), in the role of the Kinesis source: each payload's UTF-8 bytes go through the table's {@code 'format'}
 * (the job's real one, {@code 'raw'} included), as the Kinesis source hands a record's bytes to it.
 * {@code 'kind' = 'iot' | 'clickstream'}, {@code 'records'} in total across the subtasks; {@code 'run-id'} and
 * {@code 'warmup'} (records per subtask): each subtask notes the process CPU time and the clock at its first record and
 * once it has emitted its warm-up records ({@link #marks}), so that the bench reports start-up, warm-up and steady
 * state apart. Global record g has event time 2024-01-01T00:00:00Z + g ms for clicks (1,000 per event-second) and
 * + 5 g ms for readings (1,000 devices, one reading each every 5 s, so that the IoT script's 10-minute window per device
 * holds its steady 120 readings after 120,000 records, within the warm-up); subtask k emits g = k, k + p, k + 2p, ... so
 * each subtask is in time order. One record in 1,000 is malformed (dead letter).
 * A {@link RecordsSource} (Flink's FLIP-27 source API) underneath.
 */
public final class GeneratedSourceFactory implements DynamicTableSourceFactory {
    static final ConfigOption<String> KIND = ConfigOptions.key("kind").stringType().noDefaultValue();
    static final ConfigOption<Long> RECORDS = ConfigOptions.key("records").longType().noDefaultValue();
    static final ConfigOption<String> RUN_ID = ConfigOptions.key("run-id").stringType().defaultValue("");
    static final ConfigOption<Long> WARMUP = ConfigOptions.key("warmup").longType().defaultValue(0L);
    /**
     * true: 'records' are the least steady-state records, after a warm-up of at least 'warmup' records per subtask that
     * lasts until {@link Marks#jitQuiet}, and the steady state lasts until {@link Marks#steadyLongEnough} too (the
     * bench sets both); false: 'records' in all, the first 'warmup' the warm-up.
     */
    static final ConfigOption<Boolean> UNTIL_JIT_QUIET = ConfigOptions.key("until-jit-quiet").booleanType()
            .defaultValue(false);
    /**
     * Until its warm-up ends, a subtask's count grows by this many records each time it is reached, and the warm-up
     * ends at the last record of such a step (where the subtask asks for its count again and gets its steady share).
     */
    static final long WARMUP_STEP = 1_000;
    static final long BASE = 1704067200000L;

    /** Per run id: what the subtasks noted (the MiniCluster runs in the bench's JVM). */
    private static final Map<String, Marks> MARKS = new ConcurrentHashMap<>();

    /** {@link SqlThroughputBench#now()} per subtask, at its first record and at its warm-up's end. */
    public static final class Marks {
        public final Map<Integer, SqlThroughputBench.Snapshot> first = new ConcurrentHashMap<>();
        public final Map<Integer, SqlThroughputBench.Snapshot> warm = new ConcurrentHashMap<>();
        /** Per subtask, the offset of its last warm-up record. */
        public final Map<Integer, Long> warmOffset = new ConcurrentHashMap<>();
        /** Until JIT quiet: per subtask, the count it was last given (at the end, how many records it emitted). */
        public final Map<Integer, Long> given = new ConcurrentHashMap<>();
        /** Set by the bench once the JIT is quiet (or the warm-up's time is up). */
        public volatile boolean jitQuiet;
        /** Set with {@link #jitQuiet} when the warm-up's time was up before the JIT was quiet. */
        public volatile boolean jitTimedOut;
        /** Set by the first subtask that ends its warm-up: the others end theirs at their next step. */
        volatile boolean steady;
        /** Set by the bench once the steady state has lasted its least time: subtasks end after their share. */
        public volatile boolean steadyLongEnough;
    }

    /** What the subtasks of a run noted. */
    public static Marks marks(String runId) {
        return MARKS.computeIfAbsent(runId, k -> new Marks());
    }

    @Override
    public String factoryIdentifier() {
        return "bench-gen";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(KIND, RECORDS);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(FactoryUtil.FORMAT, RUN_ID, WARMUP, UNTIL_JIT_QUIET);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        DecodingFormat<DeserializationSchema<RowData>> format = helper
                .discoverOptionalDecodingFormat(DeserializationFormatFactory.class, FactoryUtil.FORMAT).orElse(null);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        return new Source(new Generated(options.get(KIND), options.get(RECORDS), options.get(RUN_ID),
                options.get(WARMUP), options.get(UNTIL_JIT_QUIET)), format, context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType());
    }

    /** The payload of global record g. */
    static String payload(String kind, long g) {
        if (g % 1000 == 999) {
            return "{\"truncated\": ";
        }
        if ("iot".equals(kind)) {
            long ts = BASE + g * 5;
            long device = g % 1000;
            double wave = Math.sin(g / 5000.0);
            double spike = g % 9973 == 0 ? 15.0 : 0.0;
            return "{\"deviceId\":\"sensor-" + device + "\",\"machineId\":\"press-" + (device % 50) + "\",\"ts\":" + ts
                    + ",\"temperature\":" + (70.0 + wave + (g % 7) * 0.1 + spike)
                    + ",\"vibration\":" + (0.01 + (g % 5) * 0.001)
                    + ",\"pressure\":" + (101.3 + (g % 3) * 0.05) + "}";
        }
        long ts = BASE + g;
        long r = (g * 2654435761L) % 100;
        String type = r < 60 ? "product_view" : r < 85 ? "page_view" : r < 95 ? "add_to_cart" : "purchase";
        long product = (g * 31 + (g % 97) * (g % 89)) % 500;
        String visitor = g % 4 == 0 ? "\"anonymousId\":\"a-" + (g % 2000) : "\"userId\":\"u-" + (g % 3000);
        return "{\"eventId\":\"e-" + g + "\",\"sessionId\":\"s-" + (g % 5000) + "\"," + visitor
                + "\",\"eventType\":\"" + type + "\",\"productId\":\"sku-" + product + "\",\"timestamp\":" + ts + "}";
    }

    private static final class Source implements ScanTableSource {
        private final Generated generated;
        private final DecodingFormat<DeserializationSchema<RowData>> format;
        private final DataType physical;

        Source(Generated generated, DecodingFormat<DeserializationSchema<RowData>> format, DataType physical) {
            this.generated = generated;
            this.format = format;
            this.physical = physical;
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return ChangelogMode.insertOnly();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
            DeserializationSchema<RowData> decoder = format == null ? null : format.createRuntimeDecoder(context, physical);
            return SourceProvider.of(new RecordsSource(generated, decoder, false, generated.runId));
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(generated, format, physical);
        }

        @Override
        public String asSummaryString() {
            return "bench-gen";
        }
    }

    /**
     * Subtask k of p emits global records k, k + p, k + 2p, ...: below {@code records}, or, until JIT quiet, its
     * warm-up and then at least its share of {@code records} (in steps, until the steady state has lasted its least
     * time).
     */
    static final class Generated implements RecordsSource.Records {
        private static final long serialVersionUID = 1L;
        private final String kind;
        private final long records;
        private final String runId;
        private final long warmup;
        private final boolean untilJitQuiet;
        private transient Marks marks;

        Generated(String kind, long records, String runId, long warmup, boolean untilJitQuiet) {
            this.kind = kind;
            this.records = records;
            this.runId = runId;
            this.warmup = warmup;
            this.untilJitQuiet = untilJitQuiet;
        }

        private long share(int subtask, int parallelism) {
            return records / parallelism + (subtask < records % parallelism ? 1 : 0);
        }

        @Override
        public long count(int subtask, int parallelism) {
            if (!untilJitQuiet) {
                return share(subtask, parallelism);
            }
            // Steps of WARMUP_STEP while the warm-up lasts, then while the subtask has emitted fewer than its share of
            // steady records or the steady state has not lasted its least time; then no more.
            Marks marks = marks(runId);
            Long warmEnd = marks.warmOffset.get(subtask);
            long given = marks.given.getOrDefault(subtask, 0L);
            if (warmEnd == null || given - (warmEnd + 1) < share(subtask, parallelism) || !marks.steadyLongEnough) {
                given += WARMUP_STEP;
                marks.given.put(subtask, given);
            }
            return given;
        }

        @Override
        public byte[] record(int subtask, int parallelism, long offset) {
            return payload(kind, subtask + offset * parallelism).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void emitted(int subtask, int parallelism, long offset) {
            if (marks == null) {
                marks = marks(runId);
            }
            if (offset == 0) {
                marks.first.put(subtask, now());
            }
            if (offset < warmup - 1 || marks.warmOffset.containsKey(subtask)) {
                return;
            }
            if (!untilJitQuiet || ((offset + 1) % WARMUP_STEP == 0 && (marks.steady || marks.jitQuiet))) {
                marks.steady = true;
                marks.warm.put(subtask, now());
                marks.warmOffset.put(subtask, offset);
            }
        }

        private static SqlThroughputBench.Snapshot now() {
            return SqlThroughputBench.now();
        }
    }
}
