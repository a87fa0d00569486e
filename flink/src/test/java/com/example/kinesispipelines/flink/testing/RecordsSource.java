package com.example.kinesispipelines.flink.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * A bounded source on Flink's FLIP-27 {@link Source} API (the legacy {@code SourceFunction} is gone in Flink 2.x), in
 * the role of the Kinesis source for the test and bench table sources: one split per subtask, split k holding the
 * records {@link Records} gives subtask k, each record's bytes handed to the table's format (as the Kinesis source
 * hands a record's bytes to it) or, without a format, emitted as a one-STRING-column row.
 * <ul>
 *   <li>The split's offset (records emitted) is its checkpointed state: after a failure, a subtask resumes from the
 *       offset of the checkpoint it is restored from.</li>
 *   <li>{@code idleSiblingsFirst}: a subtask with records starts emitting only once every subtask without records has
 *       reached its end of input (which emits its final watermark, Long.MAX_VALUE) and a checkpoint triggered after
 *       that has completed. A completed (aligned) checkpoint means every operator has processed its inputs up to the
 *       checkpoint's barrier, which an idle subtask sends after its final watermark (or, finished, its end of
 *       partition): every operator downstream then takes its watermark from the emitting subtasks alone, so a test whose
 *       one subtask emits every record in order drops exactly the late records it expects, whatever the load. (Opening
 *       the gate a fixed time after the idle subtasks finished did not: under load their final watermark reached the
 *       window aggregate after the late record, which was then counted.) Needs checkpointing
 *       ({@code SqlFixtures.tableEnv} enables it); without idle subtasks the gate is open at once.</li>
 *   <li>{@link Records#pauseAt()}: each subtask stops before that offset until a checkpoint taken at or after it has
 *       completed, then calls {@link Records#resumed} (which may throw: a failure injected mid-stream).</li>
 *   <li>{@link Records#mayStart} and {@link Records#mayFinish}: a subtask waits for the first before its first record
 *       and, its records emitted, for the second before it finishes (a quiet shard of a source that goes on).</li>
 * </ul>
 */
public final class RecordsSource implements Source<RowData, RecordsSource.Split, Set<Integer>> {
    private static final long serialVersionUID = 1L;
    /** Per source instance (one per planned job): the subtasks without records, counted down as each finishes. */
    private static final Map<String, CountDownLatch> IDLE_SUBTASKS_DONE = new ConcurrentHashMap<>();
    /** The start gate of idleSiblingsFirst, in order: waiting for the idle subtasks' end of input, for a snapshot, ... */
    private static final int GATE_IDLE_SUBTASKS = 0;
    /** ... for the next checkpoint to be snapshotted, ... */
    private static final int GATE_SNAPSHOT = 1;
    /** ... for it (or a later one) to complete, ... */
    private static final int GATE_SNAPSHOTTED = 2;
    /** ... for a checkpoint after that one to complete; then open. */
    private static final int GATE_COMPLETED = 3;
    private static final int GATE_OPEN = 4;
    private static final long GATE_TIMEOUT_SECONDS = 120;

    /** What subtask k of p emits. Implementations are serialized into the job: keep them small. */
    public interface Records extends Serializable {
        /**
         * How many records subtask {@code subtask} of {@code parallelism} emits. Asked again each time the subtask
         * reaches the count it was given, so a count may grow while the subtask runs (the bench's generator grows its
         * warm-up until the JIT is quiet); the subtask ends when the count asked again is no larger.
         */
        long count(int subtask, int parallelism);

        /** The record at {@code offset} of that subtask, as the bytes of a Kinesis record (null for a null payload). */
        byte[] record(int subtask, int parallelism, long offset);

        /** The offset at which each subtask waits for a checkpoint covering it, then calls {@link #resumed}; -1: never. */
        default long pauseAt() {
            return -1;
        }

        /** Called once a checkpoint covering {@link #pauseAt()} has completed; may throw to fail the job. */
        default void resumed(int subtask) {}

        /** Called when a subtask is restored with a split at a non-zero offset. */
        default void restored(int subtask, long offset) {}

        /**
         * How long a subtask without records waits, after counting itself finished for {@code idleSiblingsFirst}, before
         * it reaches its end of input (and sends its final watermark): a test's way of making the idle subtasks slow.
         */
        default long idleEndDelayMillis() {
            return 0;
        }

        /** Called after each record; the bench marks its warm-up end here. */
        default void emitted(int subtask, int parallelism, long offset) {}

        /** Completes when the subtask may emit its first record (at once by default). */
        default CompletableFuture<Void> mayStart(int subtask) {
            return CompletableFuture.completedFuture(null);
        }

        /**
         * Completes when the subtask, its records emitted, may finish (at once by default); until then it stays open
         * and quiet, as a Kinesis shard without new records does (no end-of-input watermark).
         */
        default CompletableFuture<Void> mayFinish(int subtask) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private final Records records;
    private final DeserializationSchema<RowData> decoder;
    private final boolean idleSiblingsFirst;
    private final String instance;

    /**
     * @param decoder the table's format, or null for one STRING column holding each record as UTF-8 text
     * @param instance a key unique to this planned job (the latch of {@code idleSiblingsFirst} lives under it)
     */
    public RecordsSource(Records records, DeserializationSchema<RowData> decoder, boolean idleSiblingsFirst,
            String instance) {
        this.records = records;
        this.decoder = decoder;
        this.idleSiblingsFirst = idleSiblingsFirst;
        this.instance = instance;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<RowData, Split> createReader(SourceReaderContext context) throws Exception {
        return new Reader(context);
    }

    @Override
    public SplitEnumerator<Split, Set<Integer>> createEnumerator(SplitEnumeratorContext<Split> context) {
        Set<Integer> pending = new HashSet<>();
        for (int k = 0; k < context.currentParallelism(); k++) {
            pending.add(k);
        }
        return new Enumerator(context, pending);
    }

    @Override
    public SplitEnumerator<Split, Set<Integer>> restoreEnumerator(SplitEnumeratorContext<Split> context,
            Set<Integer> checkpoint) {
        return new Enumerator(context, new HashSet<>(checkpoint));
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Set<Integer>> getEnumeratorCheckpointSerializer() {
        return new PendingSerializer();
    }

    /** The records of one subtask and how many of them it has emitted. */
    public static final class Split implements SourceSplit {
        final int subtask;
        final long offset;

        Split(int subtask, long offset) {
            this.subtask = subtask;
            this.offset = offset;
        }

        @Override
        public String splitId() {
            return Integer.toString(subtask);
        }
    }

    /** Assigns split k to reader k when it registers (unless a restored reader already holds it). */
    private static final class Enumerator implements SplitEnumerator<Split, Set<Integer>> {
        private final SplitEnumeratorContext<Split> context;
        private final Set<Integer> pending;

        Enumerator(SplitEnumeratorContext<Split> context, Set<Integer> pending) {
            this.context = context;
            this.pending = pending;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<Split> splits, int subtaskId) {
            // Assigned after the last completed checkpoint: assigned again (from offset 0) when the reader re-registers.
            splits.forEach(split -> pending.add(split.subtask));
        }

        @Override
        public void addReader(int subtaskId) {
            if (pending.remove(subtaskId)) {
                context.assignSplit(new Split(subtaskId, 0), subtaskId);
            }
            context.signalNoMoreSplits(subtaskId);
        }

        @Override
        public Set<Integer> snapshotState(long checkpointId) {
            return new HashSet<>(pending);
        }

        @Override
        public void close() {}
    }

    private final class Reader implements SourceReader<RowData, Split> {
        private final SourceReaderContext context;
        private final int parallelism;
        private final Deque<Split> splits = new ArrayDeque<>();
        private final RowCollector out = new RowCollector();
        private boolean noMoreSplits;
        private Split current;
        private long offset;
        private long count;
        private boolean emittedAny;
        private boolean countedDown;
        private boolean started;
        /** What the reader waits for when it has nothing to emit (new splits, the start gate, a checkpoint). */
        private CompletableFuture<Void> available = new CompletableFuture<>();
        /** idleSiblingsFirst: completes once the subtasks without records have reached their end of input. */
        private CompletableFuture<Void> gate;
        /** The start gate's step (GATE_* below); GATE_OPEN when there is no gate. */
        private int gateStep = GATE_OPEN;
        /** GATE_SNAPSHOTTED: the checkpoint snapshotted; GATE_COMPLETED: the checkpoint completed. */
        private long gateCheckpoint;
        /** System.nanoTime() after which a reader still waiting for a checkpoint fails. */
        private long gateDeadline;
        /** Pause at pauseAt: 0 not reached, 1 waiting for a checkpoint, 2 waiting for it to complete, 3 completed. */
        private int pause;
        private long pauseCheckpoint;

        Reader(SourceReaderContext context) {
            this.context = context;
            this.parallelism = context.currentParallelism();
        }

        @Override
        public void start() {
            if (decoder == null) {
                return;
            }
            try {
                decoder.open(new DeserializationSchema.InitializationContext() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return context.metricGroup().addGroup("deserializer");
                    }

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        return context.getUserCodeClassLoader();
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException("cannot open the format's decoder", e);
            }
        }

        @Override
        public InputStatus pollNext(ReaderOutput<RowData> output) throws Exception {
            if (current != null && offset >= count) {
                count = records.count(current.subtask, parallelism); // a count may grow while the subtask runs
            }
            while (current == null || offset >= count) {
                current = null;
                if (!nextSplit()) {
                    if (!noMoreSplits) {
                        return waitFor(new CompletableFuture<>());
                    }
                    if (idleSiblingsFirst && !emittedAny && !countedDown) {
                        countedDown = true;
                        idleLatch().countDown();
                        long delay = records.idleEndDelayMillis();
                        if (delay > 0) {
                            Thread.sleep(delay);
                        }
                    }
                    CompletableFuture<Void> finish = records.mayFinish(context.getIndexOfSubtask());
                    if (!finish.isDone()) {
                        return waitFor(finish.handle((done, failure) -> null));
                    }
                    finish.join(); // throws if the wait failed
                    return InputStatus.END_OF_INPUT;
                }
            }
            if (gateStep != GATE_OPEN) {
                if (gateStep == GATE_IDLE_SUBTASKS) {
                    if (!gate.isDone()) {
                        return waitFor(gate.handle((done, failure) -> null)); // completing it must not open the gate
                    }
                    gate.join(); // throws if the idle subtasks did not finish in time
                    gateStep = GATE_SNAPSHOT;
                    gateDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GATE_TIMEOUT_SECONDS);
                }
                if (gateStep != GATE_OPEN) {
                    if (System.nanoTime() - gateDeadline > 0) {
                        throw new IllegalStateException("no checkpoint completed within " + GATE_TIMEOUT_SECONDS
                                + " s after the idle source subtasks finished: idleSiblingsFirst needs checkpointing");
                    }
                    return waitFor(new CompletableFuture<Void>().completeOnTimeout(null, GATE_TIMEOUT_SECONDS + 1,
                            TimeUnit.SECONDS));
                }
            }
            if (!started) {
                CompletableFuture<Void> start = records.mayStart(current.subtask);
                if (!start.isDone()) {
                    return waitFor(start.handle((done, failure) -> null));
                }
                start.join();
                started = true;
            }
            long pauseAt = records.pauseAt();
            if (pauseAt >= 0 && offset == pauseAt && pause < 3) {
                if (pause == 0) {
                    pause = 1; // the next checkpoint covers the offset
                }
                return waitFor(new CompletableFuture<>());
            }
            if (pause == 3) {
                pause = 4;
                records.resumed(current.subtask);
            }
            byte[] bytes = records.record(current.subtask, parallelism, offset);
            if (decoder == null) {
                output.collect(GenericRowData.of(bytes == null ? null : StringData.fromBytes(bytes)));
            } else {
                out.output = output;
                decoder.deserialize(bytes, out);
            }
            records.emitted(current.subtask, parallelism, offset);
            emittedAny = true;
            offset++;
            return InputStatus.MORE_AVAILABLE;
        }

        /** Takes the next split; in {@code idleSiblingsFirst} mode a fresh split with records waits at the gate. */
        private boolean nextSplit() {
            Split split = splits.poll();
            if (split == null) {
                return false;
            }
            current = split;
            offset = split.offset;
            count = records.count(split.subtask, parallelism);
            if (offset > 0) {
                records.restored(split.subtask, offset);
            }
            if (idleSiblingsFirst && offset == 0 && count > 0 && idleSubtasks() > 0) {
                CountDownLatch idle = idleLatch();
                gateStep = GATE_IDLE_SUBTASKS;
                gate = CompletableFuture.runAsync(() -> {
                    try {
                        if (!idle.await(GATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the idle source subtasks did not finish within "
                                    + GATE_TIMEOUT_SECONDS + " s");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                });
            }
            return true;
        }

        /** The latch of this planned job, sized to its subtasks without records. */
        private CountDownLatch idleLatch() {
            return IDLE_SUBTASKS_DONE.computeIfAbsent(instance, key -> new CountDownLatch(idleSubtasks()));
        }

        private int idleSubtasks() {
            int idle = 0;
            for (int k = 0; k < parallelism; k++) {
                idle += records.count(k, parallelism) == 0 ? 1 : 0;
            }
            return idle;
        }

        private InputStatus waitFor(CompletableFuture<Void> future) {
            available = future;
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            if (gateStep == GATE_SNAPSHOT) {
                // Snapshotted after the idle subtasks reached their end of input: once this checkpoint (or a later
                // one) completes, every checkpoint triggered after it follows their final watermark.
                gateStep = GATE_SNAPSHOTTED;
                gateCheckpoint = checkpointId;
            }
            if (pause == 1) {
                pause = 2;
                pauseCheckpoint = checkpointId;
            }
            List<Split> state = new ArrayList<>();
            if (current != null) {
                state.add(new Split(current.subtask, offset));
            }
            state.addAll(splits);
            return state;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (gateStep == GATE_SNAPSHOTTED && checkpointId >= gateCheckpoint) {
                gateStep = GATE_COMPLETED; // completed after the idle subtasks' end of input
                gateCheckpoint = checkpointId;
            } else if (gateStep == GATE_COMPLETED && checkpointId > gateCheckpoint) {
                // Triggered after the previous one completed: the idle subtasks sent its barrier after their final
                // watermark (or had finished), and every operator has processed both.
                gateStep = GATE_OPEN;
                available.complete(null);
            }
            if (pause == 2 && checkpointId >= pauseCheckpoint) {
                pause = 3;
                available.complete(null);
            }
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<Split> added) {
            splits.addAll(added);
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            available.complete(null);
        }

        @Override
        public void close() {}
    }

    /** Hands the format's rows to the reader output. */
    private static final class RowCollector implements Collector<RowData> {
        ReaderOutput<RowData> output;

        @Override
        public void collect(RowData row) {
            output.collect(row);
        }

        @Override
        public void close() {}
    }

    private static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split split) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(split.subtask);
                out.writeLong(split.offset);
            }
            return bytes.toByteArray();
        }

        @Override
        public Split deserialize(int version, byte[] serialized) throws IOException {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return new Split(in.readInt(), in.readLong());
            }
        }
    }

    private static final class PendingSerializer implements SimpleVersionedSerializer<Set<Integer>> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Set<Integer> pending) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(pending.size());
                for (int k : pending) {
                    out.writeInt(k);
                }
            }
            return bytes.toByteArray();
        }

        @Override
        public Set<Integer> deserialize(int version, byte[] serialized) throws IOException {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int n = in.readInt();
                Set<Integer> pending = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    pending.add(in.readInt());
                }
                return pending;
            }
        }
    }
}
