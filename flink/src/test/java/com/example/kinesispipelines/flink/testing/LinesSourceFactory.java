package com.example.kinesispipelines.flink.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Table source {@code 'connector' = 'test-lines'}: the lines registered under {@code 'data-id'}, in the role of the
 * Kinesis source's records: one STRING column holding each line, or, with a {@code 'format'}, each line's UTF-8
 * bytes through that format (as the Kinesis source delivers a record's bytes to it).
 * <ul>
 *   <li>{@code 'mode' = 'single'} (default): subtask 0 emits every line in order, the other subtasks none, so that
 *       the order of events (and lateness against the watermark) is exactly the order of the list;</li>
 *   <li>{@code 'mode' = 'round-robin'}: subtask k emits lines k, k+p, k+2p, ...;</li>
 *   <li>{@code 'idle-end-delay' = 'ms'}: in {@code 'single'} mode, the subtasks without lines reach their end of input
 *       (and send their final watermark) that long after counting themselves finished, as a loaded machine may make
 *       them (a test that the emitting subtask waits for their watermark, not for a fixed time);</li>
 *   <li>{@code 'mode' = 'quiet-shard'} (parallelism 2, lines registered with {@link #registerQuietShard}): subtask 1
 *       emits the quiet lines, then stays open without records, as a source subtask whose shards have gone quiet
 *       does; {@link #QUIET_PAUSE} later (long enough for the idle timeout of the test) subtask 0 emits the other
 *       lines and finishes, and subtask 1 finishes {@link #QUIET_PAUSE} after that;</li>
 *   <li>{@code 'fail-after' = 'n'}: each subtask, after emitting n lines, waits for a checkpoint that covers them to
 *       complete, and subtask 0 then throws once (per data id): a failure injected mid-stream, after which the job
 *       restores from that checkpoint and the source resumes from its checkpointed offset.</li>
 * </ul>
 * A {@link RecordsSource} (Flink's FLIP-27 source API) underneath.
 */
public final class LinesSourceFactory implements DynamicTableSourceFactory {
    public static final String IDENTIFIER = "test-lines";
    static final ConfigOption<String> DATA_ID = ConfigOptions.key("data-id").stringType().noDefaultValue();
    static final ConfigOption<String> MODE = ConfigOptions.key("mode").stringType().defaultValue("single");
    static final ConfigOption<Integer> FAIL_AFTER = ConfigOptions.key("fail-after").intType().defaultValue(-1);
    static final ConfigOption<Integer> IDLE_END_DELAY = ConfigOptions.key("idle-end-delay").intType().defaultValue(0);

    private static final Map<String, List<String>> DATA = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> RESTORED_LINES = new ConcurrentHashMap<>();
    /** quiet-shard mode: subtask 1's lines, and when each subtask has emitted all of its lines. */
    private static final Map<String, List<String>> QUIET = new ConcurrentHashMap<>();
    private static final Map<String, CompletableFuture<Void>> QUIET_EMITTED = new ConcurrentHashMap<>();
    private static final Map<String, CompletableFuture<Void>> LOUD_EMITTED = new ConcurrentHashMap<>();
    /** quiet-shard mode: how long subtask 1 is quiet before subtask 0 starts, and stays open after it finished. */
    public static final Duration QUIET_PAUSE = Duration.ofSeconds(1);

    /** Registers lines under an id and returns the id. */
    public static String register(String id, List<String> lines) {
        DATA.put(id, List.copyOf(lines));
        FAILURES.put(id, new AtomicInteger());
        RESTORED_LINES.put(id, new AtomicInteger());
        return id;
    }

    /**
     * Registers lines for {@code 'mode' = 'quiet-shard'}: {@code quiet} for subtask 1, which stays open after them,
     * {@code lines} for subtask 0, which emits them once subtask 1 has been quiet for {@link #QUIET_PAUSE}.
     */
    public static String registerQuietShard(String id, List<String> quiet, List<String> lines) {
        register(id, lines);
        QUIET.put(id, List.copyOf(quiet));
        QUIET_EMITTED.put(id, new CompletableFuture<>());
        LOUD_EMITTED.put(id, new CompletableFuture<>());
        return id;
    }

    /** How many failures the source injected for this id. */
    public static int failures(String id) {
        return FAILURES.get(id).get();
    }

    /** Lines that the subtasks had emitted according to the checkpoint they were restored from (summed). */
    public static int restoredLines(String id) {
        return RESTORED_LINES.get(id).get();
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(DATA_ID);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(MODE, FAIL_AFTER, IDLE_END_DELAY, FactoryUtil.FORMAT);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        DecodingFormat<DeserializationSchema<RowData>> format = helper
                .discoverOptionalDecodingFormat(DeserializationFormatFactory.class, FactoryUtil.FORMAT).orElse(null);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String id = options.get(DATA_ID);
        if (!DATA.containsKey(id)) {
            throw new IllegalArgumentException("no test lines registered under " + id);
        }
        return new Source(id, options.get(MODE), options.get(FAIL_AFTER), options.get(IDLE_END_DELAY), format,
                context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType());
    }

    private static final class Source implements ScanTableSource {
        private final String id;
        private final String mode;
        private final int failAfter;
        private final int idleEndDelay;
        private final DecodingFormat<DeserializationSchema<RowData>> format;
        private final DataType physical;

        Source(String id, String mode, int failAfter, int idleEndDelay,
                DecodingFormat<DeserializationSchema<RowData>> format, DataType physical) {
            this.id = id;
            this.mode = mode;
            this.failAfter = failAfter;
            this.idleEndDelay = idleEndDelay;
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
            if ("quiet-shard".equals(mode)) {
                if (!QUIET.containsKey(id)) {
                    throw new IllegalArgumentException("no quiet-shard lines registered under " + id);
                }
                return SourceProvider.of(new RecordsSource(new QuietShard(id), decoder, false, id + "/" + UUID.randomUUID()));
            }
            boolean single = !"round-robin".equals(mode);
            // 'single': subtask 0 emits every line, the others none. A finished subtask's end-of-input watermark lets
            // the downstream watermark follow subtask 0 alone; subtask 0 starts only once every operator has processed
            // that watermark (a checkpoint after the others' end of input has completed), so that whether a late line
            // is dropped never depends on how fast the idle subtasks run (with a fixed pause instead, it flaked under
            // load).
            return SourceProvider.of(new RecordsSource(new Lines(id, single, failAfter, idleEndDelay), decoder, single,
                    id + "/" + UUID.randomUUID()));
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(id, mode, failAfter, idleEndDelay, format, physical);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER;
        }
    }

    /** Each subtask's share of the lines; optionally fails once mid-stream after a checkpoint covers the failure point. */
    private static final class Lines implements RecordsSource.Records {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final boolean single;
        private final int failAfter;
        private final int idleEndDelay;

        Lines(String id, boolean single, int failAfter, int idleEndDelay) {
            this.id = id;
            this.single = single;
            this.failAfter = failAfter;
            this.idleEndDelay = idleEndDelay;
        }

        @Override
        public long idleEndDelayMillis() {
            return idleEndDelay;
        }

        @Override
        public long count(int subtask, int parallelism) {
            int lines = DATA.getOrDefault(id, Collections.emptyList()).size();
            if (single) {
                return subtask == 0 ? lines : 0;
            }
            return lines / parallelism + (subtask < lines % parallelism ? 1 : 0);
        }

        @Override
        public byte[] record(int subtask, int parallelism, long offset) {
            String line = DATA.get(id).get((int) (single ? offset : subtask + offset * parallelism));
            return line == null ? null : line.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public long pauseAt() {
            return failAfter >= 0 && FAILURES.get(id).get() == 0 ? failAfter : -1;
        }

        @Override
        public void resumed(int subtask) {
            if (subtask == 0 && FAILURES.get(id).compareAndSet(0, 1)) {
                throw new RuntimeException("injected failure after " + failAfter + " lines");
            }
        }

        @Override
        public void restored(int subtask, long offset) {
            RESTORED_LINES.get(id).addAndGet((int) offset);
        }
    }

    /** quiet-shard mode: subtask 1 emits its lines and stays open; subtask 0 emits the others once it is quiet. */
    private static final class QuietShard implements RecordsSource.Records {
        private static final long serialVersionUID = 1L;
        private final String id;
        /** This subtask's start and finish gates, made once (a new delayed future on each poll would never be done). */
        private transient CompletableFuture<Void> start;
        private transient CompletableFuture<Void> finish;

        QuietShard(String id) {
            this.id = id;
        }

        private List<String> lines(int subtask) {
            return subtask == 0 ? DATA.get(id) : subtask == 1 ? QUIET.get(id) : Collections.emptyList();
        }

        @Override
        public long count(int subtask, int parallelism) {
            if (parallelism != 2) {
                throw new IllegalStateException("quiet-shard mode needs parallelism 2, got " + parallelism);
            }
            return lines(subtask).size();
        }

        @Override
        public byte[] record(int subtask, int parallelism, long offset) {
            return lines(subtask).get((int) offset).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void emitted(int subtask, int parallelism, long offset) {
            if (subtask == 1 && offset == count(1, parallelism) - 1) {
                QUIET_EMITTED.get(id).complete(null);
            }
        }

        @Override
        public CompletableFuture<Void> mayStart(int subtask) {
            if (start == null) {
                start = subtask == 0 ? QUIET_EMITTED.get(id).thenCompose(done -> later()) : CompletableFuture.completedFuture(null);
            }
            return start;
        }

        @Override
        public CompletableFuture<Void> mayFinish(int subtask) {
            if (subtask == 0) {
                LOUD_EMITTED.get(id).complete(null);
                return CompletableFuture.completedFuture(null);
            }
            if (finish == null) {
                finish = LOUD_EMITTED.get(id).thenCompose(done -> later());
            }
            return finish;
        }

        private static CompletableFuture<Void> later() {
            return CompletableFuture.runAsync(() -> {},
                    CompletableFuture.delayedExecutor(QUIET_PAUSE.toMillis(), TimeUnit.MILLISECONDS));
        }
    }
}
