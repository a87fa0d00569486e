package com.example.kinesispipelines.flink.formats;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The bytes of one record to one row of a format of this job, in one pass and without ever throwing: the event's
 * columns, or the rejected record with its reason. The last three columns are always {@code event_time},
 * {@code parse_error} (NULL for an accepted event) and {@code payload} (the whole record when rejected, else NULL).
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

    /** The row of one record: the event, or the rejected record with its reason. */
    public abstract GenericRowData parse(byte[] bytes);
}
