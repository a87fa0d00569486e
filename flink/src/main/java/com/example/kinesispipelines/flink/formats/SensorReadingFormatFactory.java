package com.example.kinesispipelines.flink.formats;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.io.NumberInput;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * {@code 'format' = 'sensor-reading'}: the IoT sensor reading, read once from the record's bytes. Columns:
 * {@code device_id, machine_id STRING, temperature, vibration, pressure DOUBLE, event_time TIMESTAMP_LTZ(3),
 * parse_error STRING, payload STRING}.
 *
 * <p>It accepts and rejects exactly what the IoT job accepted when it read the payload as text with
 * {@code JSON_FIELDS} and {@code JSON_EVENT_TIME}, and gives the same values and reasons:
 * <ul>
 *   <li>the record must be exactly one well-formed JSON object ({@code not a JSON object});</li>
 *   <li>{@code deviceId} and {@code machineId} are the text of the field's last scalar value (a number's JSON
 *       text, a string unquoted; null, objects and arrays do not count), 1-128 characters;</li>
 *   <li>the event time is the first top-level {@code ts}: a JSON integer or a string of 1-18 digits, above 0 and at
 *       most {@code max-future-skew} ahead of the clock, else the epoch and the record is rejected;</li>
 *   <li>each reading is its field's text as {@code TRY_CAST(... AS DOUBLE)} reads it ({@code "hot"} is a missing
 *       reading, {@code "21.5"} a reading), and at least one must be there.</li>
 * </ul>
 * A rejected record keeps the event time its {@code ts} gives (the epoch when there is none), as the text-reading
 * job's watermark did: a rejected record with a valid {@code ts} moves the watermark like any other.
 */
public final class SensorReadingFormatFactory extends JsonEventFormatFactory {
    public static final String IDENTIFIER = "sensor-reading";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    protected RecordParser parser(long maxFutureSkewMillis) {
        return new Parser(maxFutureSkewMillis);
    }

    static final class Parser extends RecordParser {
        private static final long serialVersionUID = 1L;
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
        static final String DEVICE_ID_REASON = "deviceId missing or not 1-128 characters";
        static final String MACHINE_ID_REASON = "machineId missing or not 1-128 characters";
        static final String NO_READING_REASON = "no numeric reading (temperature, vibration, pressure)";
        private static final int DEVICE_ID = 0;
        private static final int MACHINE_ID = 1;
        private static final int TEMPERATURE = 2;
        private static final int VIBRATION = 3;
        private static final int PRESSURE = 4;
        private static final int FIELDS = 5;
        /** The event time of a record without a usable {@code ts}. */
        private static final long NO_TIME = 0L;
        private static final List<Column> COLUMNS = List.of(
                new Column("device_id", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("machine_id", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("temperature", new DoubleType()),
                new Column("vibration", new DoubleType()),
                new Column("pressure", new DoubleType()),
                new Column("event_time", new LocalZonedTimestampType(3)),
                new Column("parse_error", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("payload", new VarCharType(VarCharType.MAX_LENGTH)));

        private final long maxFutureSkewMillis;
        private final String tsReason;

        Parser(long maxFutureSkewMillis) {
            this.maxFutureSkewMillis = maxFutureSkewMillis;
            this.tsReason = "ts missing, not epoch milliseconds, or more than " + maxFutureSkewMillis / 1000
                    + " s ahead of the clock";
        }

        @Override
        public List<Column> columns() {
            return COLUMNS;
        }

        /** What one pass over a record found. */
        private static final class Read {
            final String[] text = new String[FIELDS];
            /** Epoch milliseconds of the first {@code ts}, or {@link #NO_TIME}. */
            long millis = NO_TIME;
            boolean tsSeen;
        }

        @Override
        public GenericRowData parse(byte[] bytes) {
            long now = System.currentTimeMillis();
            Read read = new Read();
            boolean object;
            if (plainAscii(bytes)) {
                object = read(bytes, null, read, now);
            } else {
                // Decoded as Flink decodes a raw STRING column, so that invalid or unusual UTF-8 gives the text the
                // text-reading job saw (Jackson would reject some of it when reading the bytes).
                object = read(null, StringData.fromBytes(bytes).toString(), read, now);
            }
            String error;
            if (!object) {
                error = EventParser.NOT_AN_OBJECT;
            } else if (!lengthBetween(read.text[DEVICE_ID], 1, 128)) {
                error = DEVICE_ID_REASON;
            } else if (!lengthBetween(read.text[MACHINE_ID], 1, 128)) {
                error = MACHINE_ID_REASON;
            } else if (read.millis == NO_TIME) {
                error = tsReason;
            } else {
                Double temperature = number(read.text[TEMPERATURE]);
                Double vibration = number(read.text[VIBRATION]);
                Double pressure = number(read.text[PRESSURE]);
                if (temperature == null && vibration == null && pressure == null) {
                    error = NO_READING_REASON;
                } else {
                    GenericRowData row = new GenericRowData(COLUMNS.size());
                    row.setField(0, StringData.fromString(read.text[DEVICE_ID]));
                    row.setField(1, StringData.fromString(read.text[MACHINE_ID]));
                    row.setField(2, temperature);
                    row.setField(3, vibration);
                    row.setField(4, pressure);
                    row.setField(5, TimestampData.fromEpochMillis(read.millis));
                    return row;
                }
            }
            GenericRowData rejected = new GenericRowData(COLUMNS.size());
            rejected.setField(5, TimestampData.fromEpochMillis(read.millis));
            rejected.setField(6, StringData.fromString(error));
            rejected.setField(7, StringData.fromBytes(bytes));
            return rejected;
        }

        /** No byte is NUL or above 0x7F: Jackson reads such bytes exactly as it reads their text. */
        static boolean plainAscii(byte[] bytes) {
            // eight bytes at a time: a byte that is 0 becomes 0xFF when 1 is taken from it (and a byte of 1..0x7F
            // lends nothing to its neighbour), a byte above 0x7F has its high bit set already
            int i = 0;
            for (; i + Long.BYTES <= bytes.length; i += Long.BYTES) {
                long word = (long) LONGS.get(bytes, i);
                if (((word - 0x0101010101010101L | word) & 0x8080808080808080L) != 0) {
                    return false;
                }
            }
            for (; i < bytes.length; i++) {
                if (bytes[i] <= 0) {
                    return false;
                }
            }
            return true;
        }

        /**
         * One pass over the record (bytes, or else text): the declared fields' text, the first ts; true when the
         * record is exactly one well-formed JSON object.
         */
        private boolean read(byte[] bytes, String text, Read read, long now) {
            try (JsonParser parser = bytes != null ? EventParser.JSON.createParser(bytes) : EventParser.JSON.createParser(text)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return false;
                }
                JsonToken token;
                while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (!read.tsSeen && "ts".equals(name)) {
                        read.tsSeen = true;
                        read.millis = eventTime(parser, value, now);
                    }
                    if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                        parser.skipChildren();
                        continue;
                    }
                    if (value == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    int slot = slot(name);
                    if (slot >= 0) {
                        read.text[slot] = parser.getText();
                    } else {
                        parser.finishToken(); // a malformed string is malformed JSON wherever it is
                    }
                }
                return token == JsonToken.END_OBJECT && parser.nextToken() == null;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        /** The event time held by the first ts, or {@link #NO_TIME}. */
        private long eventTime(JsonParser parser, JsonToken value, long now) {
            long millis;
            try {
                if (value == JsonToken.VALUE_NUMBER_INT) {
                    millis = parser.getLongValue();
                } else if (value == JsonToken.VALUE_STRING && DIGITS.matcher(parser.getText()).matches()) {
                    millis = Long.parseLong(parser.getText());
                } else {
                    return NO_TIME;
                }
            } catch (IOException | RuntimeException e) {
                return NO_TIME; // an integer beyond 64 bits
            }
            return millis > 0 && millis <= now + maxFutureSkewMillis ? millis : NO_TIME;
        }

        private static int slot(String field) {
            switch (field) {
                case "deviceId": return DEVICE_ID;
                case "machineId": return MACHINE_ID;
                case "temperature": return TEMPERATURE;
                case "vibration": return VIBRATION;
                case "pressure": return PRESSURE;
                default: return -1;
            }
        }

        /** Length in Unicode code points (as CHAR_LENGTH counts) between min and max; NULL counts as empty. */
        private static boolean lengthBetween(String s, int min, int max) {
            int length = s == null ? 0 : s.codePointCount(0, s.length());
            return length >= min && length <= max;
        }

        /**
         * The text as {@code TRY_CAST(text AS DOUBLE)} reads it: Flink parses it with Double.parseDouble. Text in JSON
         * number syntax (the usual reading) goes through Jackson's FastDoubleParser instead, which gives the same
         * correctly rounded double several times faster; anything else, or anything it refuses, through
         * Double.parseDouble.
         */
        static Double number(String text) {
            if (text == null) {
                return null;
            }
            if (isJsonNumber(text)) {
                try {
                    return NumberInput.parseDouble(text, true);
                } catch (NumberFormatException e) {
                    // fall through to the parser TRY_CAST uses
                }
            }
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, at most 64 characters. */
        static boolean isJsonNumber(String s) {
            int n = s.length();
            int i = 0;
            if (n > 64) {
                return false;
            }
            if (i < n && s.charAt(i) == '-') {
                i++;
            }
            int digits = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == digits || (s.charAt(digits) == '0' && i - digits > 1)) {
                return false;
            }
            if (i < n && s.charAt(i) == '.') {
                int fraction = ++i;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == fraction) {
                    return false;
                }
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int exponent = i;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == exponent) {
                    return false;
                }
            }
            return i == n;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }
}
