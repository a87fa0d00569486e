package com.example.kinesispipelines.flink.formats;

import java.nio.charset.StandardCharsets;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.data.writer.BinaryRowWriter;

/**
 * Writes the rows of one format's records as Flink's binary rows: one writer over a scratch row reused from record to
 * record, and each finished row copied out whole, so that a row handed out is never touched by the next record (the
 * Kinesis source may hold emitted rows in a queue). Not thread-safe: one per parser instance, created on first use.
 */
final class RowBuilder implements EventParser.Fields {
    /** The precision of the event_time column, TIMESTAMP_LTZ(3): stored as epoch milliseconds in the fixed part. */
    private static final int MILLIS = 3;
    private final int arity;
    private final BinaryRowData scratch;
    private final BinaryRowWriter writer;
    /** The columns written since {@link #start}, one bit each. */
    private long written;

    RowBuilder(int arity) {
        if (arity >= Long.SIZE) {
            throw new IllegalArgumentException("fewer than " + Long.SIZE + " columns, got " + arity);
        }
        this.arity = arity;
        this.scratch = new BinaryRowData(arity);
        this.writer = new BinaryRowWriter(scratch, 128);
    }

    /**
     * Starts a row (RowKind INSERT, no column NULL). Each column must then be written exactly once, a NULL included:
     * the scratch row's fixed-length slots still hold the previous row's values.
     */
    void start() {
        writer.reset();
        written = 0;
    }

    /** A NULL: its null bit set and its fixed-length slot zeroed, as Flink's serializer writes one. */
    void nullAt(int pos) {
        mark(pos);
        writer.setNullAt(pos);
    }

    private void mark(int pos) {
        written |= 1L << pos;
    }

    /** A STRING column: the string's UTF-8 bytes (as Flink's own writer encodes a Java string), or NULL. */
    @Override
    public void string(int pos, String value) {
        if (value == null) {
            nullAt(pos);
        } else {
            utf8(pos, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A STRING column from bytes taken as they are (UTF-8, or a raw record's bytes as Flink keeps them). */
    void utf8(int pos, byte[] bytes) {
        mark(pos);
        writer.writeBinary(pos, bytes);
    }

    /** A DOUBLE column, or NULL. */
    void number(int pos, Double value) {
        if (value == null) {
            nullAt(pos);
        } else {
            mark(pos);
            writer.writeDouble(pos, value);
        }
    }

    /** The TIMESTAMP_LTZ(3) column. */
    @Override
    public void millis(int pos, long epochMillis) {
        mark(pos);
        writer.writeTimestamp(pos, TimestampData.fromEpochMillis(epochMillis), MILLIS);
    }

    /** The finished row: a copy of the scratch row's bytes, owned by the caller. */
    BinaryRowData finish() {
        if (Long.bitCount(written) != arity) {
            throw new IllegalStateException("columns left unwritten: " + Long.toBinaryString(~written & ((1L << arity) - 1)));
        }
        writer.complete();
        return scratch.copy();
    }

    /**
     * A rejected record: NULL in every event column, the event time, the reason and the payload (the record's bytes
     * taken as they are).
     */
    BinaryRowData rejected(long eventTimeMillis, String reason, byte[] payload) {
        start();
        for (int i = 0; i < arity - 3; i++) {
            nullAt(i);
        }
        millis(arity - 3, eventTimeMillis);
        string(arity - 2, reason);
        utf8(arity - 1, payload);
        return finish();
    }
}
