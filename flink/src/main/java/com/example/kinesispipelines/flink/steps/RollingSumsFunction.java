package com.example.kinesispipelines.flink.steps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;

/**
 * Per key, for each row: the count, sum and sum of squares of each metric column over the rows of the last
 * {@code rangeMillis} of event time up to and including the row's own time (a RANGE frame: rows with the same time are
 * peers, all inside), appended to the row. It computes what
 * {@code COUNT(m) OVER w, SUM(m) OVER w, SUM(m * m) OVER w} with
 * {@code w AS (PARTITION BY key ORDER BY time RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW)} computes, with the
 * same state machine as Flink's operator for that window: rows wait for the watermark in state and come out, in
 * event-time order, when a timer at their time fires; a row at or before the last time fired for its key is late and
 * dropped ({@code numLateRecordsDropped}); a key whose rows have all left the window is cleared by a cleanup timer 1.5
 * ranges after its last row; sums are updated as that operator updates them (add each row's value when its time
 * fires, subtract it when it leaves the frame), so the results are the same doubles. (Where several times leave the
 * frame at once, this function subtracts them in time order, as that operator does on RocksDB; on the heap backend it
 * goes in hash-map order, which can change the last bits of a sum.)
 *
 * <p>What differs is the cost: that operator scans every time stored for the key on each timer to find the rows that
 * left the frame; this function keeps the fired times in a queue in event-time order (a map from a sequence number to
 * the time and metric values of the rows of one time, with the head and tail in state) and only looks at its head, so
 * a row costs the same whatever the window length. State per key, kept small for RocksDB (where every access is a
 * read or write of serialized bytes): one {@code long[]} value holding the times, the queue's ends, the counts and the
 * sums (as the bits of the doubles), the rows waiting for the watermark by time, and the queue. All data lives in
 * Flink managed state (value and map state, event-time timers), so it works on the heap and RocksDB backends and
 * across checkpoints and restores.
 */
public final class RollingSumsFunction extends KeyedProcessFunction<String, RowData, RowData> {
    private static final long serialVersionUID = 1L;
    static final String LATE_RECORDS_DROPPED = "numLateRecordsDropped";

    /**
     * Offsets in the {@code acc} state: last fired time, cleanup time, queue head and tail, then per metric i its
     * count at COUNTS + 3i, and the bits of its sum and sum of squares at COUNTS + 3i + 1 and + 2.
     */
    private static final int LAST_FIRED = 0;
    private static final int CLEANUP_AT = 1;
    private static final int HEAD = 2;
    private static final int TAIL = 3;
    private static final int COUNTS = 4;

    private final InternalTypeInfo<RowData> inputType;
    private final int timeIndex;
    private final int timePrecision;
    private final int[] metrics;
    private final long rangeMillis;

    /** Last fired time, cleanup time, head, tail, then each metric's count, sum and sum of squares (see COUNTS). */
    private transient ValueState<long[]> acc;
    /** Rows not fired yet, by event time. */
    private transient MapState<Long, List<RowData>> pending;
    /**
     * Times fired and still in the frame, oldest at the head, by sequence number: the time, then per row a mask of its
     * non-NULL metrics followed by the bits of those values, in metric order.
     */
    private transient MapState<Long, long[]> fired;
    private transient JoinedRowData output;
    private transient Counter lateRecordsDropped;

    /**
     * @param inputType the rows' type (their serializer for the state)
     * @param timeIndex the event-time column (TIMESTAMP or TIMESTAMP_LTZ)
     * @param timePrecision its precision
     * @param metrics the DOUBLE columns to sum (at most 64)
     * @param rangeMillis the frame: rows at most this much older than the current row are in it
     */
    public RollingSumsFunction(InternalTypeInfo<RowData> inputType, int timeIndex, int timePrecision, int[] metrics,
            long rangeMillis) {
        if (metrics.length > Long.SIZE) {
            throw new IllegalArgumentException("at most " + Long.SIZE + " metric columns, got " + metrics.length);
        }
        this.inputType = inputType;
        this.timeIndex = timeIndex;
        this.timePrecision = timePrecision;
        this.metrics = metrics.clone();
        this.rangeMillis = rangeMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        acc = getRuntimeContext().getState(new ValueStateDescriptor<>("acc", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG, new ListTypeInfo<>(inputType)));
        fired = getRuntimeContext().getMapState(new MapStateDescriptor<>("fired", Types.LONG,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        output = new JoinedRowData();
        lateRecordsDropped = getRuntimeContext().getMetricGroup().counter(LATE_RECORDS_DROPPED);
    }

    private long timeOf(RowData row) {
        return row.getTimestamp(timeIndex, timePrecision).getMillisecond();
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
        long time = timeOf(row);
        long[] m = acc.value();
        if (time <= (m == null ? 0L : m[LAST_FIRED])) {
            lateRecordsDropped.inc(); // as Flink's operator: at or before the last time fired (0 before any)
            return;
        }
        if (m == null) {
            m = newAcc();
        }
        List<RowData> rows = pending.get(time);
        if (rows == null) {
            rows = new ArrayList<>(2);
            ctx.timerService().registerEventTimeTimer(time);
        }
        rows.add(row);
        pending.put(time, rows);
        // The cleanup timer of Flink's operator: moved out to 1.5 ranges after the row when the row would outlive it.
        long cleanupAt = time + (long) (rangeMillis * 1.5) + 1;
        if (m[CLEANUP_AT] == 0 || m[CLEANUP_AT] < time + rangeMillis + 1) {
            ctx.timerService().registerEventTimeTimer(cleanupAt);
            m[CLEANUP_AT] = cleanupAt;
            acc.update(m);
        }
    }

    private long[] newAcc() {
        long[] m = new long[COUNTS + 3 * metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            m[COUNTS + 3 * i + 1] = Double.doubleToRawLongBits(0.0);
            m[COUNTS + 3 * i + 2] = Double.doubleToRawLongBits(0.0);
        }
        return m;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
        long[] m = acc.value();
        if (m != null && m[CLEANUP_AT] != 0 && m[CLEANUP_AT] <= timestamp) {
            acc.clear();
            pending.clear();
            fired.clear();
            return;
        }
        if (m == null) {
            m = newAcc();
        }
        List<RowData> rows = pending.get(timestamp);
        if (rows != null) {
            long head = m[HEAD];
            while (head < m[TAIL]) {
                long[] oldest = fired.get(head);
                if (timestamp - oldest[0] <= rangeMillis) {
                    break;
                }
                retract(oldest, m);
                fired.remove(head);
                head++;
            }
            m[HEAD] = head;
            long[] entry = new long[1 + rows.size() * (1 + metrics.length)];
            entry[0] = timestamp;
            int at = 1;
            for (RowData row : rows) {
                at = accumulate(row, m, entry, at);
            }
            GenericRowData values = values(m);
            for (RowData row : rows) {
                output.replace(row, values);
                out.collect(output);
            }
            fired.put(m[TAIL]++, at == entry.length ? entry : Arrays.copyOf(entry, at));
            pending.remove(timestamp);
        }
        m[LAST_FIRED] = timestamp;
        acc.update(m);
    }

    private static double sum(long[] m, int index) {
        return Double.longBitsToDouble(m[index]);
    }

    /**
     * Adds a row as Flink's OVER aggregates do (COUNT counts the non-NULL values, and SUM is planned there as
     * {@code $SUM0}: a sum from 0.0, shown as NULL while the count is 0), and writes its mask and values to the
     * queue entry from {@code at}; returns the entry's next free index.
     */
    private int accumulate(RowData row, long[] m, long[] entry, int at) {
        int maskAt = at++;
        long mask = 0;
        for (int i = 0; i < metrics.length; i++) {
            if (!row.isNullAt(metrics[i])) {
                double x = row.getDouble(metrics[i]);
                int c = COUNTS + 3 * i;
                m[c]++;
                m[c + 1] = Double.doubleToRawLongBits(sum(m, c + 1) + x);
                m[c + 2] = Double.doubleToRawLongBits(sum(m, c + 2) + x * x);
                mask |= 1L << i;
                entry[at++] = Double.doubleToRawLongBits(x);
            }
        }
        entry[maskAt] = mask;
        return at;
    }

    /** Takes the rows of a queue entry out again, in their order, as those aggregates retract them. */
    private void retract(long[] entry, long[] m) {
        int at = 1;
        while (at < entry.length) {
            long mask = entry[at++];
            for (int i = 0; i < metrics.length; i++) {
                if ((mask & (1L << i)) != 0) {
                    double x = Double.longBitsToDouble(entry[at++]);
                    int c = COUNTS + 3 * i;
                    m[c]--;
                    m[c + 1] = Double.doubleToRawLongBits(sum(m, c + 1) - x);
                    m[c + 2] = Double.doubleToRawLongBits(sum(m, c + 2) - x * x);
                }
            }
        }
    }

    /** Per metric: the count, and the sum and sum of squares (NULL when the count is 0, as SUM gives). */
    private GenericRowData values(long[] m) {
        int n = metrics.length;
        GenericRowData values = new GenericRowData(3 * n);
        for (int i = 0; i < n; i++) {
            int c = COUNTS + 3 * i;
            long count = m[c];
            values.setField(3 * i, count);
            values.setField(3 * i + 1, count == 0 ? null : sum(m, c + 1));
            values.setField(3 * i + 2, count == 0 ? null : sum(m, c + 2));
        }
        return values;
    }
}
