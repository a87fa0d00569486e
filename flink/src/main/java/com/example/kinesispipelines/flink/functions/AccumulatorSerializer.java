package com.example.kinesispipelines.flink.functions;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.table.data.binary.BinaryStringData;

/**
 * The serializer of a mutable aggregate accumulator without configuration: what is the same for every such serializer
 * (no reuse of instances, variable length, a copy as a fresh object), and the UTF-8 keys they write. Subclasses give
 * {@link #createInstance()}, {@link #copy(Object)}, {@link #serialize(Object, DataOutputView)},
 * {@link #deserialize(DataInputView)} and their snapshot.
 */
public abstract class AccumulatorSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /** Writes a key as its length, then its UTF-8 bytes. */
    protected static void writeKey(BinaryStringData key, DataOutputView target) throws IOException {
        byte[] bytes = key.toBytes();
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    /** Reads a key {@link #writeKey} wrote, as an owned copy. */
    protected static BinaryStringData readKey(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return BinaryStringData.fromBytes(bytes);
    }
}
