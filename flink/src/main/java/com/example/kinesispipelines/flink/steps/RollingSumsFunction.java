package com.example.kinesispipelines.flink.steps;

import java.util.ArrayList;
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
 * left the frame; this function keeps the fired rows in a queue in event-time order (a map from a sequence number to
 * the rows of one time, with the head and tail in state) and only looks at its head, so a row costs the same whatever
 * the window length. All data lives in Flink managed state (value and map state, event-time timers), so it works on
 * the heap and RocksDB backends and across checkpoints and restores.
 */
public final class RollingSumsFunction extends KeyedProcessFunction<String, RowData, RowData> {
    private static final long serialVersionUID = 1L;
    static final String LATE_RECORDS_DROPPED = "numLateRecordsDropped";

    /** Offsets in the {@code meta} state: last fired time, cleanup time, queue head and tail, then per metric. */
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

    /** Last fired time, cleanup time, head, tail, then the count of each metric. */
    private transient ValueState<long[]> meta;
    /** The sum and the sum of squares of each metric. */
    private transient ValueState<double[]> sums;
    /** Rows not fired yet, by event time. */
    private transient MapState<Long, List<RowData>> pending;
    /** Rows fired and still in the frame: the rows of one time per sequence number, oldest at the head. */
    private transient MapState<Long, List<RowData>> fired;
    private transient JoinedRowData output;
    private transient Counter lateRecordsDropped;

    /**
     * @param inputType the rows' type (their serializer for the state)
     * @param timeIndex the event-time column (TIMESTAMP or TIMESTAMP_LTZ)
     * @param timePrecision its precision
     * @param metrics the DOUBLE columns to sum
     * @param rangeMillis the frame: rows at most this much older than the current row are in it
     */
    public RollingSumsFunction(InternalTypeInfo<RowData> inputType, int timeIndex, int timePrecision, int[] metrics,
            long rangeMillis) {
        this.inputType = inputType;
        this.timeIndex = timeIndex;
        this.timePrecision = timePrecision;
        this.metrics = metrics.clone();
        this.rangeMillis = rangeMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        meta = getRuntimeContext().getState(new ValueStateDescriptor<>("meta", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        sums = getRuntimeContext().getState(new ValueStateDescriptor<>("sums", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        ListTypeInfo<RowData> rows = new ListTypeInfo<>(inputType);
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG, rows));
        fired = getRuntimeContext().getMapState(new MapStateDescriptor<>("fired", Types.LONG, rows));
        output = new JoinedRowData();
        lateRecordsDropped = getRuntimeContext().getMetricGroup().counter(LATE_RECORDS_DROPPED);
    }

    private long timeOf(RowData row) {
        return row.getTimestamp(timeIndex, timePrecision).getMillisecond();
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
        long time = timeOf(row);
        long[] m = meta.value();
        if (time <= (m == null ? 0L : m[LAST_FIRED])) {
            lateRecordsDropped.inc(); // as Flink's operator: at or before the last time fired (0 before any)
            return;
        }
        if (m == null) {
            m = new long[COUNTS + metrics.length];
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
            meta.update(m);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
        long[] m = meta.value();
        if (m != null && m[CLEANUP_AT] != 0 && m[CLEANUP_AT] <= timestamp) {
            meta.clear();
            sums.clear();
            pending.clear();
            fired.clear();
            return;
        }
        if (m == null) {
            m = new long[COUNTS + metrics.length];
        }
        List<RowData> rows = pending.get(timestamp);
        if (rows != null) {
            double[] s = sums.value();
            if (s == null) {
                s = new double[2 * metrics.length];
            }
            long head = m[HEAD];
            while (head < m[TAIL]) {
                List<RowData> oldest = fired.get(head);
                if (timestamp - timeOf(oldest.get(0)) <= rangeMillis) {
                    break;
                }
                for (RowData old : oldest) {
                    retract(old, m, s);
                }
                fired.remove(head);
                head++;
            }
            m[HEAD] = head;
            for (RowData row : rows) {
                accumulate(row, m, s);
            }
            GenericRowData values = values(m, s);
            for (RowData row : rows) {
                output.replace(row, values);
                out.collect(output);
            }
            fired.put(m[TAIL]++, rows);
            pending.remove(timestamp);
            sums.update(s);
        }
        m[LAST_FIRED] = timestamp;
        meta.update(m);
    }

    /**
     * Adds a row as Flink's OVER aggregates do: COUNT counts the non-NULL values, and SUM is planned there as
     * {@code $SUM0} (a sum from 0.0, shown as NULL while the count is 0).
     */
    private void accumulate(RowData row, long[] m, double[] s) {
        for (int i = 0; i < metrics.length; i++) {
            if (!row.isNullAt(metrics[i])) {
                double x = row.getDouble(metrics[i]);
                s[2 * i] += x;
                s[2 * i + 1] += x * x;
                m[COUNTS + i]++;
            }
        }
    }

    /** Takes a row out again, as those aggregates retract it. */
    private void retract(RowData row, long[] m, double[] s) {
        for (int i = 0; i < metrics.length; i++) {
            if (!row.isNullAt(metrics[i])) {
                double x = row.getDouble(metrics[i]);
                s[2 * i] -= x;
                s[2 * i + 1] -= x * x;
                m[COUNTS + i]--;
            }
        }
    }

    /** Per metric: the count, and the sum and sum of squares (NULL when the count is 0, as SUM gives). */
    private GenericRowData values(long[] m, double[] s) {
        int n = metrics.length;
        GenericRowData values = new GenericRowData(3 * n);
        for (int i = 0; i < n; i++) {
            long count = m[COUNTS + i];
            values.setField(3 * i, count);
            values.setField(3 * i + 1, count == 0 ? null : s[2 * i]);
            values.setField(3 * i + 2, count == 0 ? null : s[2 * i + 1]);
        }
        return values;
    }
}
