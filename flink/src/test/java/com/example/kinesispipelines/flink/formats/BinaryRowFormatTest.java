package com.example.kinesispipelines.flink.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/**
 * Both formats hand out Flink's binary rows: each row must be, byte for byte, what Flink's own serializer writes for
 * the row of internal objects the formats produced before (so the keyed exchanges, copies and the SQL downstream see
 * exactly the same values), for every column type, NULLs, non-ASCII text, surrogate pairs and lone surrogates, the
 * strings short enough to sit in the fixed part and the longest the schema allows, and the dead letters; and a row
 * handed out must never change when the parser reads the next record.
 */
class BinaryRowFormatTest {
    private static final long TS = 1_704_067_200_000L;
    private static final String SMILE = "\uD83D\uDE00"; // one code point, two UTF-16 units, four UTF-8 bytes

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StringData str(String s) {
        return StringData.fromString(s);
    }

    /** The binary row Flink's serializer writes for a row of internal objects of the parser's columns. */
    private static BinaryRowData serialized(RecordParser parser, Object... fields) {
        List<RecordParser.Column> columns = parser.columns();
        RowType type = RowType.of(columns.stream().map(c -> c.type).toArray(LogicalType[]::new),
                columns.stream().map(c -> c.name).toArray(String[]::new));
        return new RowDataSerializer(type).toBinaryRow(GenericRowData.of(fields)).copy();
    }

    private static void sameRow(RecordParser parser, byte[] record, Object... expected) {
        BinaryRowData row = parser.deserialize(record);
        assertThat(row).as(new String(record, StandardCharsets.UTF_8)).isEqualTo(serialized(parser, expected));
        // and the values read back field by field are the expected ones
        GenericRowData fields = parser.parse(record);
        for (int i = 0; i < expected.length; i++) {
            assertThat(fields.getField(i)).as("column " + i + " of " + new String(record, StandardCharsets.UTF_8))
                    .isEqualTo(expected[i]);
        }
    }

    private static String reading(String deviceId, String rest) {
        return "{\"deviceId\":\"" + deviceId + "\",\"machineId\":\"m-1\",\"ts\":" + TS + rest + "}";
    }

    @Test
    void sensorReadingsAreTheRowsFlinksSerializerWrites() {
        RecordParser parser = new SensorReadingFormatFactory.Parser(300_000L);
        TimestampData ts = TimestampData.fromEpochMillis(TS);
        sameRow(parser, utf8(reading("d-1", ",\"temperature\":21.5,\"vibration\":0.25,\"pressure\":101")),
                str("d-1"), str("m-1"), 21.5, 0.25, 101.0, ts, null, null);
        // missing and unreadable readings are NULL doubles; a number's text is a valid id
        sameRow(parser, utf8("{\"deviceId\":42,\"machineId\":\"m\",\"ts\":\"" + TS + "\",\"vibration\":\"hot\",\"pressure\":\"-0.0\"}"),
                str("42"), str("m"), null, null, -0.0, ts, null, null);
        // 7 bytes sit in the fixed part, 8 go to the variable part; non-ASCII text is read from the decoded record
        sameRow(parser, utf8(reading("abcdefg", ",\"temperature\":1")), str("abcdefg"), str("m-1"), 1.0, null, null, ts, null, null);
        sameRow(parser, utf8(reading("abcdefgh", ",\"temperature\":1")), str("abcdefgh"), str("m-1"), 1.0, null, null, ts, null, null);
        sameRow(parser, utf8(reading("dé-" + SMILE, ",\"temperature\":1")), str("dé-" + SMILE), str("m-1"), 1.0, null, null, ts, null, null);
        sameRow(parser, utf8(reading(SMILE.repeat(128), ",\"temperature\":1")),
                str(SMILE.repeat(128)), str("m-1"), 1.0, null, null, ts, null, null);
        // escapes, a lone surrogate among them (written as Flink writes it: '?')
        sameRow(parser, utf8(reading("a\\u00e9\\ud83d\\ude00\\ud800\\n", ",\"temperature\":1")),
                str("aé" + SMILE + "\uD800\n"), str("m-1"), 1.0, null, null, ts, null, null);
        // dead letters: the event time of the ts, the reason, and the record's bytes exactly, even when not UTF-8
        byte[] notUtf8 = concat(utf8("{\"deviceId\":\"x"), new byte[] {(byte) 0xFF, (byte) 0xC3}, utf8("\",\"ts\":" + TS + "}"));
        sameRow(parser, notUtf8, null, null, null, null, null, ts, str(SensorReadingFormatFactory.Parser.MACHINE_ID_REASON),
                StringData.fromBytes(notUtf8));
        byte[] tooLong = utf8(reading(SMILE.repeat(129), ",\"temperature\":1"));
        sameRow(parser, tooLong, null, null, null, null, null, ts, str(SensorReadingFormatFactory.Parser.DEVICE_ID_REASON),
                StringData.fromBytes(tooLong));
        sameRow(parser, utf8("{"), null, null, null, null, null, TimestampData.fromEpochMillis(0), str(EventParser.NOT_AN_OBJECT),
                str("{"));
    }

    private static String click(String fields) {
        return "{\"eventId\":\"e-1\",\"eventType\":\"page_view\",\"timestamp\":" + TS + fields + "}";
    }

    @Test
    void clickEventsAreTheRowsFlinksSerializerWrites() {
        RecordParser parser = new ClickEventFormatFactory.Parser(300_000L);
        TimestampData ts = TimestampData.fromEpochMillis(TS);
        sameRow(parser, utf8(click(",\"userId\":\"u-1\",\"anonymousId\":\"a-é\",\"sessionId\":\"s-" + SMILE + "\",\"productId\":\"p\"")),
                str("e-1"), str("page_view"), str("u-1"), str("a-é"), str("s-" + SMILE), str("p"), ts, null, null);
        sameRow(parser, utf8(click(",\"anonymousId\":\"" + "x".repeat(256) + "\",\"eventId\":\"" + SMILE.repeat(256) + "\"")),
                str(SMILE.repeat(256)), str("page_view"), null, str("x".repeat(256)), null, null, ts, null, null);
        sameRow(parser, utf8(click(",\"userId\":\"\\ud800\"")), str("e-1"), str("page_view"), str("\uD800"), null, null, null, ts,
                null, null);
        // dead letters: the epoch, the reason, the record's text (malformed UTF-8 replaced, as when it was read as text)
        String rejected = click(",\"userId\":7");
        sameRow(parser, utf8(rejected), null, null, null, null, null, null, TimestampData.fromEpochMillis(0),
                str("userId not a string of 1-256 characters"), str(rejected));
        byte[] notUtf8 = concat(utf8("{\"eventId\":\"x"), new byte[] {(byte) 0xFF}, utf8("\"}"));
        sameRow(parser, notUtf8, null, null, null, null, null, null, TimestampData.fromEpochMillis(0), str(EventParser.NOT_AN_OBJECT),
                str(new String(notUtf8, StandardCharsets.UTF_8)));
    }

    @Test
    void aRowHandedOutIsNotChangedByTheNextRecords() {
        RecordParser sensor = new SensorReadingFormatFactory.Parser(300_000L);
        BinaryRowData first = sensor.deserialize(utf8(reading("d-1", ",\"temperature\":21.5")));
        BinaryRowData before = first.copy();
        // longer strings (the writer's buffer grows), NULLs where the first had values, and a dead letter
        sensor.deserialize(utf8(reading("z".repeat(120), ",\"vibration\":3,\"pressure\":4")));
        sensor.deserialize(utf8("{\"deviceId\":\"q\",\"ts\":1}"));
        assertThat(first).isEqualTo(before);
        assertThat(first.getString(0)).isEqualTo(str("d-1"));
        assertThat(first.getDouble(2)).isEqualTo(21.5);
        assertThat(first.isNullAt(3)).isTrue();

        RecordParser clicks = new ClickEventFormatFactory.Parser(300_000L);
        BinaryRowData click = clicks.deserialize(utf8(click(",\"userId\":\"u\"")));
        BinaryRowData clickBefore = click.copy();
        clicks.deserialize(utf8(click(",\"anonymousId\":\"" + "a".repeat(256) + "\"")));
        clicks.deserialize(utf8("[]"));
        assertThat(click).isEqualTo(clickBefore);
        assertThat(click.getString(2)).isEqualTo(str("u"));
        assertThat(click.isNullAt(3)).isTrue();
    }

    @Test
    void theDeserializerHandsOutBinaryRows() throws Exception {
        RecordParser parser = new ClickEventFormatFactory.Parser(300_000L);
        RowData row = new JsonEventDeserializer(parser, null).deserialize(utf8(click(",\"userId\":\"u\"")));
        assertThat(row).isInstanceOf(BinaryRowData.class);
        assertThat(row).isEqualTo(serialized(parser, str("e-1"), str("page_view"), str("u"), null, null, null,
                TimestampData.fromEpochMillis(TS), null, null));
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
                for (int b : new int[] {0x00, 0x80, 0xC3, 0xFF, 0x01 + 0x80}) {
                    byte[] one = bytes.clone();
                    one[at] = (byte) b;
                    assertThat(SensorReadingFormatFactory.Parser.plainAscii(one)).as("byte " + b + " at " + at + " of " + n).isFalse();
                }
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
