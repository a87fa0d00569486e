package com.example.kinesispipelines.flink.steps;

import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;

/**
 * Per key, for each row: the count, sum and sum of squares of each metric column over the rows of the last
 * {@code rangeMillis} of event time up to and including the row's own time (a RANGE frame: rows with the same time are
 * peers, all inside), appended to the row. It computes what
 * {@code COUNT(m) OVER w, SUM(m) OVER w, SUM(m * m) OVER w} with
 * {@code w AS (PARTITION BY key ORDER BY time RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW)} computes, with the
 * same state machine as Flink's operator for that window: rows wait for the watermark and come out, in event-time
 * order, when the watermark passes their time; a row at or before the last time fired for its key is late and
 * dropped ({@code numLateRecordsDropped}); a key whose rows have all left the window is cleared 1.5 ranges after its
 * last row; sums are updated as that operator updates them (add each row's value when its time fires, subtract it
 * when it leaves the frame), so the results are the same doubles. (Where several times leave the frame at once, this
 * function subtracts them in time order, as that operator does on RocksDB; on the heap backend it goes in hash-map
 * order, which can change the last bits of a sum.)
 *
 * <p>What differs is the cost. That operator scans every time stored for the key on each timer to find the rows that
 * left the frame, and keeps a timer per distinct time and some ten state accesses per row. This function keeps the
 * key's state in one value ({@link RollingSumsState}: the counts and sums, the rows waiting for the watermark, and the
 * fired times still in the frame as a queue in time order, whose oldest and newest times are in the value and the
 * ones between in chunks of {@link RollingSumsState#CHUNK} times in a map state) and two event-time timers per key at
 * most (the earliest waiting row's time and the next cleanup time). When one fires, the function replays, in time
 * order, every timer that operator would have had up to the watermark (the waiting rows' times and its cleanup
 * timers, stale ones included: a stale one still marks its time as fired), looking only at the queue's head. A row
 * costs one read and one write of the key's value when it comes, and one of each when the watermark passes it (with
 * the other rows of its key that it passes), plus at most one timer (the cleanup timer moves about once per half
 * range) and, per {@code CHUNK} rows, a chunk written, read and removed; whatever the window length. The state is Flink managed state (the value with a versioned
 * serializer of its own) in checkpoints and savepoints, on the heap and RocksDB backends; rows are copied when
 * stored, so the job may run with object reuse on.
 */
public final class RollingSumsFunction extends KeyedProcessFunction<String, RowData, RowData> {
    private static final long serialVersionUID = 1L;
    static final String LATE_RECORDS_DROPPED = "numLateRecordsDropped";

    private final InternalTypeInfo<RowData> inputType;
    private final int timeIndex;
    private final int timePrecision;
    private final int[] metrics;
    private final long rangeMillis;
    /** ROLLING_ANOMALIES: score each row and emit only its anomalies; null: emit each row with the sums. */
    private final AnomalyRule rule;

    private transient ValueState<RollingSumsState> state;
    /** The queue's chunks between its head and tail (see {@link RollingSumsState}), by number. */
    private transient MapState<Long, long[]> chunks;
    private transient TypeSerializer<RowData> rowSerializer;
    private transient JoinedRowData output;
    private transient Counter lateRecordsDropped;
    private transient StringData[] metricNames;
    private transient double[] scored;

    /**
     * @param inputType the rows' type (their serializer for the state)
     * @param timeIndex the event-time column (TIMESTAMP or TIMESTAMP_LTZ)
     * @param timePrecision its precision
     * @param metrics the DOUBLE columns to sum (at most 64)
     * @param rangeMillis the frame: rows at most this much older than the current row are in it
     */
    public RollingSumsFunction(InternalTypeInfo<RowData> inputType, int timeIndex, int timePrecision, int[] metrics,
            long rangeMillis) {
        this(inputType, timeIndex, timePrecision, metrics, rangeMillis, null);
    }

    /**
     * The function of {@code ROLLING_ANOMALIES} (or, with no rule, of {@code ROLLING_SUMS}): the same state and
     * timers, but each row is scored, when it fires, against its frame without it, and only its anomalies come out:
     * per metric (in the rule's order) whose reading is an anomaly, the row with {@code metric, reading, window_mean,
     * window_stddev, z_score, window_samples} appended.
     */
    RollingSumsFunction(InternalTypeInfo<RowData> inputType, int timeIndex, int timePrecision, int[] metrics,
            long rangeMillis, AnomalyRule rule) {
        if (metrics.length > Long.SIZE) {
            throw new IllegalArgumentException("at most " + Long.SIZE + " metric columns, got " + metrics.length);
        }
        this.inputType = inputType;
        this.timeIndex = timeIndex;
        this.timePrecision = timePrecision;
        this.metrics = metrics.clone();
        this.rangeMillis = rangeMillis;
        this.rule = rule;
        if (rule != null && rule.metrics.length != metrics.length) {
            throw new IllegalArgumentException("a metric name per metric column, got " + rule.metrics.length + " for "
                    + metrics.length);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        rowSerializer = inputType.toRowSerializer();
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("rolling-sums",
                new RollingSumsState.Serializer(inputType.toRowSerializer())));
        chunks = getRuntimeContext().getMapState(new MapStateDescriptor<>("rolling-sums-chunks", Types.LONG,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        output = new JoinedRowData();
        if (rule != null) {
            metricNames = new StringData[rule.metrics.length];
            for (int i = 0; i < metricNames.length; i++) {
                metricNames[i] = StringData.fromString(rule.metrics[i]);
            }
            scored = new double[3];
        }
        lateRecordsDropped = getRuntimeContext().getMetricGroup().counter(LATE_RECORDS_DROPPED);
    }

    private long timeOf(RowData row) {
        return row.getTimestamp(timeIndex, timePrecision).getMillisecond();
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
        long time = timeOf(row);
        RollingSumsState s = state.value();
        if (time <= (s == null ? 0L : s.lastFired)) {
            lateRecordsDropped.inc(); // as Flink's operator: at or before the last time fired (0 before any)
            return;
        }
        if (s == null) {
            s = new RollingSumsState(metrics.length);
        }
        s.addPending(time, rowSerializer.copy(row)); // the caller may reuse the row (object reuse)
        // The cleanup timer of Flink's operator: moved out to 1.5 ranges after the row when the row would outlive it.
        if (s.cleanupAt == 0 || s.cleanupAt < time + rangeMillis + 1) {
            s.cleanupAt = time + (long) (rangeMillis * 1.5) + 1;
            s.addCleanup(s.cleanupAt);
        }
        schedule(s, ctx.timerService());
        state.update(s);
    }

    /**
     * Keeps the key's two timers at its first waiting row's time and its first cleanup time (the next timers Flink's
     * operator would have of each kind).
     */
    private static void schedule(RollingSumsState s, TimerService timers) {
        long rows = s.pendingCount > 0 ? s.pendingTimes[0] : RollingSumsState.NO_TIMER;
        long cleanup = s.cleanupCount > 0 ? s.cleanups[0] : RollingSumsState.NO_TIMER;
        s.rowsTimer = move(timers, s.rowsTimer, rows, s.cleanupTimer);
        s.cleanupTimer = move(timers, s.cleanupTimer, cleanup, s.rowsTimer);
    }

    /**
     * Moves a timer of the key from {@code from} to {@code to} (either NO_TIMER: none), leaving the key's other timer,
     * at {@code other}, in place (Flink keeps one timer per key and time, so two at one time are one).
     */
    private static long move(TimerService timers, long from, long to, long other) {
        if (from == to) {
            return to;
        }
        if (from != RollingSumsState.NO_TIMER && from != other) {
            timers.deleteEventTimeTimer(from);
        }
        if (to != RollingSumsState.NO_TIMER) {
            timers.registerEventTimeTimer(to);
        }
        return to;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
        RollingSumsState s = state.value();
        if (s == null) {
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        // The key's timers up to the watermark all fire in this advance: this call does the work of both.
        s.rowsTimer = passed(ctx.timerService(), s.rowsTimer, timestamp, watermark);
        s.cleanupTimer = passed(ctx.timerService(), s.cleanupTimer, timestamp, watermark);
        // Each timer of Flink's operator up to the watermark, in time order: a waiting row's time or a cleanup time.
        for (long t = s.nextTimer(); t <= watermark; t = s.nextTimer()) {
            if (s.cleanupAt != 0 && s.cleanupAt <= t) {
                if (s.firstChunk < s.nextChunk) {
                    chunks.clear();
                }
                state.clear(); // every row has left the frame, and none waits (they are all before the cleanup time)
                return;
            }
            if (s.pendingCount > 0 && s.pendingTimes[0] == t) {
                fire(s, t, out);
            }
            s.removeCleanupsUpTo(t);
            s.lastFired = t;
        }
        schedule(s, ctx.timerService());
        state.update(s);
    }

    /** A timer at or before the watermark is gone once this call is done: the one firing, or another, deleted. */
    private static long passed(TimerService timers, long timer, long firing, long watermark) {
        if (timer == RollingSumsState.NO_TIMER || timer > watermark) {
            return timer;
        }
        if (timer != firing) {
            timers.deleteEventTimeTimer(timer);
        }
        return RollingSumsState.NO_TIMER;
    }

    /** Fires the waiting rows at time {@code t}: takes out the times that left the frame, adds the rows, emits them. */
    private void fire(RollingSumsState s, long t, Collector<RowData> out) throws Exception {
        while (hasOldest(s) && t - s.head[s.headStart] > rangeMillis) {
            s.headStart = retract(s, s.headStart);
        }
        int n = 1;
        while (n < s.pendingCount && s.pendingTimes[n] == t) {
            n++;
        }
        s.reserveTail(2 + n * (1 + metrics.length));
        s.tail[s.tailEnd++] = t;
        s.tail[s.tailEnd++] = n;
        for (int r = 0; r < n; r++) {
            accumulate(s, s.pendingRows[r]);
        }
        if (++s.tailEntries >= RollingSumsState.CHUNK) {
            if (s.headStart == s.headEnd && s.firstChunk == s.nextChunk) {
                s.tailToHead();
            } else {
                chunks.put(s.nextChunk++, Arrays.copyOf(s.tail, s.tailEnd));
                s.tailEnd = 0;
                s.tailEntries = 0;
            }
        }
        if (out instanceof TimestampedCollector) {
            ((TimestampedCollector<RowData>) out).setAbsoluteTimestamp(t);
        }
        if (rule == null) {
            GenericRowData values = values(s.sums);
            for (int r = 0; r < n; r++) {
                output.replace(s.pendingRows[r], values);
                out.collect(output);
            }
        } else {
            for (int r = 0; r < n; r++) {
                emitAnomalies(s.sums, s.pendingRows[r], out);
            }
        }
        s.removePending(n);
    }

    /**
     * Whether the queue has a time, with the oldest at the head: when the head is empty, the oldest stored chunk (read
     * and removed) or else the tail becomes the head.
     */
    private boolean hasOldest(RollingSumsState s) throws Exception {
        if (s.headStart < s.headEnd) {
            return true;
        }
        if (s.firstChunk < s.nextChunk) {
            long chunk = s.firstChunk++;
            s.chunkToHead(chunks.get(chunk));
            chunks.remove(chunk);
            return true;
        }
        if (s.tailEnd > 0) {
            s.tailToHead();
            return true;
        }
        return false;
    }

    private static double sum(long[] m, int index) {
        return Double.longBitsToDouble(m[index]);
    }

    /**
     * Adds a row as Flink's OVER aggregates do (COUNT counts the non-NULL values, and SUM is planned there as
     * {@code $SUM0}: a sum from 0.0, shown as NULL while the count is 0), and appends its mask and values to the
     * queue.
     */
    private void accumulate(RollingSumsState s, RowData row) {
        long[] m = s.sums;
        long[] q = s.tail;
        int maskAt = s.tailEnd++;
        long mask = 0;
        for (int i = 0; i < metrics.length; i++) {
            if (!row.isNullAt(metrics[i])) {
                double x = row.getDouble(metrics[i]);
                int c = 3 * i;
                m[c]++;
                m[c + 1] = Double.doubleToRawLongBits(sum(m, c + 1) + x);
                m[c + 2] = Double.doubleToRawLongBits(sum(m, c + 2) + x * x);
                mask |= 1L << i;
                q[s.tailEnd++] = Double.doubleToRawLongBits(x);
            }
        }
        q[maskAt] = mask;
    }

    /**
     * Takes the rows of the head's entry at {@code at} out again, in their order, as those aggregates retract them;
     * returns where the next entry starts.
     */
    private int retract(RollingSumsState s, int at) {
        long[] m = s.sums;
        long[] q = s.head;
        long rows = q[at + 1];
        at += 2;
        for (long r = 0; r < rows; r++) {
            long mask = q[at++];
            for (int i = 0; i < metrics.length; i++) {
                if ((mask & (1L << i)) != 0) {
                    double x = Double.longBitsToDouble(q[at++]);
                    int c = 3 * i;
                    m[c]--;
                    m[c + 1] = Double.doubleToRawLongBits(sum(m, c + 1) - x);
                    m[c + 2] = Double.doubleToRawLongBits(sum(m, c + 2) - x * x);
                }
            }
        }
        return at;
    }

    /** Emits a row once per metric whose reading is an anomaly against the frame without the row, in metric order. */
    private void emitAnomalies(long[] m, RowData row, Collector<RowData> out) {
        for (int i = 0; i < metrics.length; i++) {
            if (row.isNullAt(metrics[i])) {
                continue;
            }
            double x = row.getDouble(metrics[i]);
            int c = 3 * i;
            if (rule.score(x, m[c], sum(m, c + 1), sum(m, c + 2), scored)) {
                GenericRowData values = GenericRowData.of(metricNames[i], x, scored[0], scored[1], scored[2], m[c] - 1);
                out.collect(new JoinedRowData(row, values)); // rare: a new row, which a later operator may keep
            }
        }
    }

    /** Per metric: the count, and the sum and sum of squares (NULL when the count is 0, as SUM gives). */
    private GenericRowData values(long[] m) {
        int n = metrics.length;
        GenericRowData values = new GenericRowData(3 * n);
        for (int i = 0; i < n; i++) {
            int c = 3 * i;
            long count = m[c];
            values.setField(3 * i, count);
            values.setField(3 * i + 1, count == 0 ? null : sum(m, c + 1));
            values.setField(3 * i + 2, count == 0 ? null : sum(m, c + 2));
        }
        return values;
    }
}
