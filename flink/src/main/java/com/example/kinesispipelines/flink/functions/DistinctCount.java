package com.example.kinesispipelines.flink.functions;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.functions.AggregateFunction;

/**
 * {@code DISTINCT_COUNT(key)}: the number of distinct non-NULL STRING values in a group, exactly
 * {@code COUNT(DISTINCT key)}, with the values kept in the accumulator itself. A window aggregate reads and writes an
 * accumulator once per flush of its window buffer, so the set costs a state access per flush; {@code COUNT(DISTINCT)}
 * keeps each value as an entry of a state map and reads it once per row (a RocksDB read per row on RocksDB). Meant
 * for a window aggregate whose groups hold few enough distinct values to keep in memory (a set of a few thousand
 * visitor keys per minute).
 */
@FunctionHint(
        accumulator = @DataTypeHint(value = "RAW", bridgedTo = DistinctCount.Values.class,
                rawSerializer = DistinctCount.ValuesSerializer.class),
        output = @DataTypeHint("BIGINT NOT NULL"))
public final class DistinctCount extends AggregateFunction<Long, DistinctCount.Values> {
    private static final long serialVersionUID = 1L;

    /** The distinct values seen. */
    public static final class Values {
        /** Owned copies (never a view into a buffer that Flink reuses). */
        final Set<BinaryStringData> values = new HashSet<>();
    }

    @Override
    public Values createAccumulator() {
        return new Values();
    }

    public void accumulate(Values acc, @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData key) {
        if (key != null && !acc.values.contains(key)) {
            // toBytes() may return the buffer itself (a whole heap segment): copied.
            acc.values.add(BinaryStringData.fromBytes(key.toBytes().clone()));
        }
    }

    public void merge(Values acc, Iterable<Values> others) {
        for (Values other : others) {
            acc.values.addAll(other.values);
        }
    }

    @Override
    public Long getValue(Values acc) {
        return (long) acc.values.size();
    }

    /** Serializes {@link Values} as their number, then each value's UTF-8 bytes. */
    public static final class ValuesSerializer extends AccumulatorSerializer<Values> {
        private static final long serialVersionUID = 1L;

        @Override
        public Values createInstance() {
            return new Values();
        }

        @Override
        public Values copy(Values from) {
            Values to = new Values();
            to.values.addAll(from.values); // the values themselves are never changed
            return to;
        }

        @Override
        public void serialize(Values record, DataOutputView target) throws IOException {
            target.writeInt(record.values.size());
            for (BinaryStringData value : record.values) {
                writeKey(value, target);
            }
        }

        @Override
        public Values deserialize(DataInputView source) throws IOException {
            Values values = new Values();
            int size = source.readInt();
            for (int i = 0; i < size; i++) {
                values.values.add(readKey(source));
            }
            return values;
        }

        @Override
        public TypeSerializerSnapshot<Values> snapshotConfiguration() {
            return new ValuesSerializerSnapshot();
        }
    }

    /** The snapshot of {@link ValuesSerializer} (no configuration). */
    public static final class ValuesSerializerSnapshot extends SimpleTypeSerializerSnapshot<Values> {
        public ValuesSerializerSnapshot() {
            super(ValuesSerializer::new);
        }
    }
}
