package com.example.kinesispipelines.flink.formats;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The bytes of one record to one row of a format of this job, in one pass and without ever throwing: the event's
 * columns, or the rejected record with its reason. The last three columns are always {@code event_time},
 * {@code parse_error} (NULL for an accepted event) and {@code payload} (the whole record when rejected, else NULL).
 *
 * <p>The row is Flink's binary row, written once as the keyed exchanges after the source serialize it: strings as
 * their UTF-8 bytes, doubles and the event time in place, so that serializing or copying it is one copy of its bytes.
 * An instance is used by one thread (the Kinesis source clones the deserializer for each shard's thread) and keeps its
 * scratch space between records, but every row it returns is new and never changed afterwards.
 */
public abstract class RecordParser implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A column the format produces. */
    public static final class Column implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final LogicalType type;

        Column(String name, LogicalType type) {
            this.name = name;
            this.type = type;
        }
    }

    /** The columns of the row, in order; the last three are event_time, parse_error and payload. */
    public abstract List<Column> columns();

    /** The row of one record: the event, or the rejected record with its reason. A new row on every call. */
    public abstract BinaryRowData deserialize(byte[] bytes);

    /**
     * The row of one record with its fields as Flink's internal objects ({@link org.apache.flink.table.data.StringData},
     * Double, {@link org.apache.flink.table.data.TimestampData}), read from {@link #deserialize}'s row: for code that
     * looks at the fields one by one.
     */
    public GenericRowData parse(byte[] bytes) {
        BinaryRowData binary = deserialize(bytes);
        List<Column> columns = columns();
        GenericRowData row = new GenericRowData(binary.getRowKind(), columns.size());
        for (int i = 0; i < columns.size(); i++) {
            row.setField(i, RowData.createFieldGetter(columns.get(i).type, i).getFieldOrNull(binary));
        }
        return row;
    }
}
