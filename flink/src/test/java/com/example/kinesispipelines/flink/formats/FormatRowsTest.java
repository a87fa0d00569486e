package com.example.kinesispipelines.flink.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/**
 * What both formats' rows share: a row handed out is never changed by the records read after it (the Kinesis source
 * may hold emitted rows in a queue), and the sensor-reading format's plain-ASCII check, which picks Jackson's byte
 * parser or the decoded text, finds every NUL and non-ASCII byte wherever it sits.
 */
class FormatRowsTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The row as Flink's serializer writes it: every field, NULLs included, as bytes. */
    private static BinaryRowData bytesOf(RecordParser parser, GenericRowData row) {
        List<RecordParser.Column> columns = parser.columns();
        RowType type = RowType.of(columns.stream().map(c -> c.type).toArray(LogicalType[]::new),
                columns.stream().map(c -> c.name).toArray(String[]::new));
        return new RowDataSerializer(type).toBinaryRow(row).copy();
    }

    @Test
    void aRowHandedOutIsNotChangedByTheNextRecords() {
        RecordParser sensor = new SensorReadingFormatFactory.Parser(300_000L);
        GenericRowData first = sensor.parse(utf8("{\"deviceId\":\"d-1\",\"machineId\":\"m\",\"ts\":1704067200000,\"temperature\":21.5}"));
        BinaryRowData before = bytesOf(sensor, first);
        sensor.parse(utf8("{\"deviceId\":\"" + "z".repeat(120) + "\",\"machineId\":\"m\",\"ts\":1704067200000,\"vibration\":3}"));
        sensor.parse(utf8("{\"deviceId\":\"q\",\"ts\":1}"));
        assertThat(bytesOf(sensor, first)).isEqualTo(before);
        assertThat(first.getString(0)).isEqualTo(StringData.fromString("d-1"));
        assertThat(first.getDouble(2)).isEqualTo(21.5);
        assertThat(first.isNullAt(3)).isTrue();

        RecordParser clicks = new ClickEventFormatFactory.Parser(300_000L);
        String click = "{\"eventId\":\"e-1\",\"eventType\":\"page_view\",\"timestamp\":1704067200000";
        GenericRowData row = clicks.parse(utf8(click + ",\"userId\":\"u\"}"));
        BinaryRowData clickBefore = bytesOf(clicks, row);
        clicks.parse(utf8(click + ",\"anonymousId\":\"" + "a".repeat(256) + "\"}"));
        clicks.parse(utf8("[]"));
        assertThat(bytesOf(clicks, row)).isEqualTo(clickBefore);
        assertThat(row.getString(2)).isEqualTo(StringData.fromString("u"));
        assertThat(row.isNullAt(3)).isTrue();
    }

    @Test
    void plainAsciiFindsEveryNulAndNonAsciiByteWhereverItIs() {
        Random random = new Random(20261207L);
        for (int n = 0; n < 40; n++) {
            byte[] bytes = new byte[n];
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) (1 + random.nextInt(0x7F));
            }
            assertThat(SensorReadingFormatFactory.Parser.plainAscii(bytes)).as("length " + n).isTrue();
            for (int at = 0; at < n; at++) {
                for (int b : new int[] {0x00, 0x80, 0x81, 0xC3, 0xFF}) {
                    byte[] one = bytes.clone();
                    one[at] = (byte) b;
                    assertThat(SensorReadingFormatFactory.Parser.plainAscii(one)).as("byte " + b + " at " + at + " of " + n).isFalse();
                }
            }
        }
    }
}
