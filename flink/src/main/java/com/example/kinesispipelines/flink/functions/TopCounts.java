package com.example.kinesispipelines.flink.functions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.types.Row;

/**
 * {@code TOP_COUNTS(key, n)}: in a group, the {@code n} keys seen most often, as an
 * {@code ARRAY<ROW<item_rank BIGINT, item STRING, item_count BIGINT>>} ranked 1, 2, ... by count, descending, equal
 * counts by key ascending in Flink's order of STRING values (by code point); fewer than {@code n} when the group holds
 * fewer keys, none when {@code n < 1}. NULL keys are not counted. Exactly what
 * {@code ROW_NUMBER() OVER (PARTITION BY <group> ORDER BY COUNT(*) DESC, key ASC) <= n} over
 * {@code GROUP BY <group>, key} returns, computed in the group's own aggregate.
 *
 * <p>Written for a window aggregate grouped by the window alone ({@code GROUP BY window_start, window_end}): the
 * window's Top-N then comes out of the operator that closes the window, with no exchange and no second
 * watermark-driven operator after it. (A window Top-N after a per-key window aggregate drops a window's rows as late
 * when the aggregate subtask that emits them was idle and another one has already moved the rank operator's
 * watermark past the window.) The accumulator merges, as sliding (HOP) windows need; it holds one count per key, and
 * the window aggregate reads and writes it once per window buffer flush, not once per row.
 */
@FunctionHint(
        accumulator = @DataTypeHint(value = "RAW", bridgedTo = TopCounts.Counts.class,
                rawSerializer = TopCounts.CountsSerializer.class),
        output = @DataTypeHint("ARRAY<ROW<item_rank BIGINT, item STRING, item_count BIGINT>>"))
public final class TopCounts extends AggregateFunction<Row[], TopCounts.Counts> {
    private static final long serialVersionUID = 1L;

    /** The count of each key and the {@code n} asked for. */
    public static final class Counts {
        /** Keys are owned copies (never a view into a buffer that Flink reuses). */
        final Map<BinaryStringData, long[]> counts = new HashMap<>();
        int n;
    }

    @Override
    public Counts createAccumulator() {
        return new Counts();
    }

    public void accumulate(Counts acc, @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData key,
            int n) {
        acc.n = n;
        if (key == null) {
            return;
        }
        long[] count = acc.counts.get(key);
        if (count == null) {
            // toBytes() may return the buffer itself (a whole heap segment): copied.
            acc.counts.put(BinaryStringData.fromBytes(key.toBytes().clone()), new long[] {1});
        } else {
            count[0]++;
        }
    }

    public void merge(Counts acc, Iterable<Counts> others) {
        for (Counts other : others) {
            acc.n = Math.max(acc.n, other.n);
            for (Map.Entry<BinaryStringData, long[]> e : other.counts.entrySet()) {
                long[] count = acc.counts.get(e.getKey());
                if (count == null) {
                    acc.counts.put(e.getKey(), new long[] {e.getValue()[0]});
                } else {
                    count[0] += e.getValue()[0];
                }
            }
        }
    }

    @Override
    public Row[] getValue(Counts acc) {
        List<Map.Entry<BinaryStringData, long[]>> entries = new ArrayList<>(acc.counts.entrySet());
        entries.sort((a, b) -> {
            int byCount = Long.compare(b.getValue()[0], a.getValue()[0]);
            return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey()); // UTF-8 bytes, unsigned: code points
        });
        int size = Math.max(0, Math.min(acc.n, entries.size()));
        Row[] top = new Row[size];
        for (int i = 0; i < size; i++) {
            top[i] = Row.of((long) i + 1, entries.get(i).getKey().toString(), entries.get(i).getValue()[0]);
        }
        return top;
    }

    /** Serializes {@link Counts} as n, the number of keys, then each key's UTF-8 bytes and count. */
    public static final class CountsSerializer extends AccumulatorSerializer<Counts> {
        private static final long serialVersionUID = 1L;

        @Override
        public Counts createInstance() {
            return new Counts();
        }

        @Override
        public Counts copy(Counts from) {
            Counts to = new Counts();
            to.n = from.n;
            from.counts.forEach((key, count) -> to.counts.put(key, new long[] {count[0]}));
            return to;
        }

        @Override
        public void serialize(Counts record, DataOutputView target) throws IOException {
            target.writeInt(record.n);
            target.writeInt(record.counts.size());
            for (Map.Entry<BinaryStringData, long[]> e : record.counts.entrySet()) {
                writeKey(e.getKey(), target);
                target.writeLong(e.getValue()[0]);
            }
        }

        @Override
        public Counts deserialize(DataInputView source) throws IOException {
            Counts counts = new Counts();
            counts.n = source.readInt();
            int size = source.readInt();
            for (int i = 0; i < size; i++) {
                counts.counts.put(readKey(source), new long[] {source.readLong()});
            }
            return counts;
        }

        @Override
        public TypeSerializerSnapshot<Counts> snapshotConfiguration() {
            return new CountsSerializerSnapshot();
        }
    }

    /** The snapshot of {@link CountsSerializer} (no configuration). */
    public static final class CountsSerializerSnapshot extends SimpleTypeSerializerSnapshot<Counts> {
        public CountsSerializerSnapshot() {
            super(CountsSerializer::new);
        }
    }
}
