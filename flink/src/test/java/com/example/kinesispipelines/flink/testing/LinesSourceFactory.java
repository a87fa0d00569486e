package com.example.kinesispipelines.flink.testing;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.RuntimeContextInitializationContextAdapters;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.types.DataType;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.source.RichParallelSourceFunction;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceFunctionProvider;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Table source {@code 'connector' = 'test-lines'}: the lines registered under {@code 'data-id'}, in the role of the
 * Kinesis source's records: one STRING column holding each line, or, with a {@code 'format'}, each line's UTF-8
 * bytes through that format (as the Kinesis source delivers a record's bytes to it).
 * <ul>
 *   <li>{@code 'mode' = 'single'} (default): subtask 0 emits every line in order, the other subtasks none, so that
 *       the order of events (and lateness against the watermark) is exactly the order of the list;</li>
 *   <li>{@code 'mode' = 'round-robin'}: subtask k emits lines k, k+p, k+2p, ...;</li>
 *   <li>{@code 'fail-after' = 'n'}: each subtask, after emitting n lines, waits for a checkpoint that covers them to
 *       complete, and subtask 0 then throws once (per data id): a failure injected mid-stream, after which the job
 *       restores from that checkpoint and the source resumes from its checkpointed offset.</li>
 * </ul>
 */
public final class LinesSourceFactory implements DynamicTableSourceFactory {
    public static final String IDENTIFIER = "test-lines";
    static final ConfigOption<String> DATA_ID = ConfigOptions.key("data-id").stringType().noDefaultValue();
    static final ConfigOption<String> MODE = ConfigOptions.key("mode").stringType().defaultValue("single");
    static final ConfigOption<Integer> FAIL_AFTER = ConfigOptions.key("fail-after").intType().defaultValue(-1);

    private static final Map<String, List<String>> DATA = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> RESTORED_LINES = new ConcurrentHashMap<>();

    /** Registers lines under an id and returns the id. */
    public static String register(String id, List<String> lines) {
        DATA.put(id, List.copyOf(lines));
        FAILURES.put(id, new AtomicInteger());
        RESTORED_LINES.put(id, new AtomicInteger());
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
        return Set.of(MODE, FAIL_AFTER, FactoryUtil.FORMAT);
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
        return new Source(id, options.get(MODE), options.get(FAIL_AFTER), format,
                context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType());
    }

    private static final class Source implements ScanTableSource {
        private final String id;
        private final String mode;
        private final int failAfter;
        private final DecodingFormat<DeserializationSchema<RowData>> format;
        private final DataType physical;

        Source(String id, String mode, int failAfter, DecodingFormat<DeserializationSchema<RowData>> format,
                DataType physical) {
            this.id = id;
            this.mode = mode;
            this.failAfter = failAfter;
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
            return SourceFunctionProvider.of(
                    new LinesFunction(id, "round-robin".equals(mode), failAfter, decoder), true);
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(id, mode, failAfter, format, physical);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER;
        }
    }

    /** Emits its share of the lines; checkpoints its offset; optionally fails once mid-stream. */
    /** Per job run and data id: the 'single'-mode subtasks that emit nothing, counted down as each finishes. */
    private static final Map<String, CountDownLatch> IDLE_SUBTASKS_DONE = new ConcurrentHashMap<>();

    private static final class LinesFunction extends RichParallelSourceFunction<RowData>
            implements CheckpointedFunction, CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final boolean roundRobin;
        private final int failAfter;
        private final DeserializationSchema<RowData> decoder;
        private transient ListState<Long> offsetState;
        private volatile long offset;
        private volatile boolean running = true;
        /** Id of the first checkpoint taken at or after the failure point, and whether it completed. */
        private volatile long checkpointAtFailurePoint = -1;
        private volatile boolean failurePointCheckpointed;

        LinesFunction(String id, boolean roundRobin, int failAfter, DeserializationSchema<RowData> decoder) {
            this.id = id;
            this.roundRobin = roundRobin;
            this.failAfter = failAfter;
            this.decoder = decoder;
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            if (decoder != null) {
                decoder.open(RuntimeContextInitializationContextAdapters.deserializationAdapter(getRuntimeContext()));
            }
        }

        @Override
        public void run(SourceContext<RowData> ctx) throws Exception {
            List<String> lines = DATA.getOrDefault(id, Collections.emptyList());
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
            if (!roundRobin) {
                // 'single': subtask 0 emits every line, the others none. A finished subtask's end-of-input watermark
                // lets the downstream watermark follow subtask 0 alone; subtask 0 starts only once the others have
                // finished, and a moment later, so that whether a late line is dropped never depends on how fast the
                // idle subtasks start (it did, and flaked under load).
                String run = getRuntimeContext().getJobInfo().getJobId() + "/" + id;
                CountDownLatch others = IDLE_SUBTASKS_DONE.computeIfAbsent(run, k -> new CountDownLatch(parallelism - 1));
                if (subtask != 0) {
                    others.countDown();
                    return;
                }
                if (!others.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the idle source subtasks of " + id + " did not start within 60 s");
                }
                Thread.sleep(300);
            }
            int step = roundRobin ? parallelism : 1;
            int first = roundRobin ? subtask : 0;
            while (running) {
                long position = first + offset * step;
                if (position >= lines.size()) {
                    return;
                }
                if (failAfter >= 0 && offset == failAfter && FAILURES.get(id).get() == 0) {
                    // Wait (without the lock, so that checkpoints can be taken) until a checkpoint covers the offset.
                    while (running && !failurePointCheckpointed) {
                        Thread.sleep(5);
                    }
                    if (subtask == 0 && FAILURES.get(id).compareAndSet(0, 1)) {
                        throw new RuntimeException("injected failure after " + failAfter + " lines");
                    }
                }
                synchronized (ctx.getCheckpointLock()) {
                    String line = lines.get((int) position);
                    if (decoder != null) {
                        ctx.collect(decoder.deserialize(line.getBytes(StandardCharsets.UTF_8)));
                    } else {
                        ctx.collect(GenericRowData.of(line == null ? null : StringData.fromString(line)));
                    }
                    offset++;
                }
            }
        }

        @Override
        public void cancel() {
            running = false;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            offsetState.update(List.of(offset));
            if (failAfter >= 0 && offset >= failAfter && checkpointAtFailurePoint < 0) {
                checkpointAtFailurePoint = context.getCheckpointId();
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (checkpointAtFailurePoint >= 0 && checkpointId >= checkpointAtFailurePoint) {
                failurePointCheckpointed = true;
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            offsetState = context.getOperatorStateStore()
                    .getListState(new ListStateDescriptor<>("offset", Long.class));
            offset = 0;
            for (Long restored : offsetState.get()) {
                offset = restored;
                RESTORED_LINES.get(id).addAndGet(restored.intValue());
            }
        }
    }
}
