package com.example.kinesispipelines.flink.formats;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * {@code 'format' = 'click-event'}: the click event of schemas/click-event.schema.json. Columns: {@code event_id,
 * event_type, user_id, anonymous_id, session_id, product_id STRING, event_time TIMESTAMP_LTZ(3), parse_error STRING,
 * payload STRING}. {@code timestamp} is epoch milliseconds (an integer, at least 946684800000) or an ISO 8601 date-time
 * with a zone offset or Z; {@code page} is checked (1-2,048 characters) and not returned; every other field, the
 * ingestion API's {@code _ingest} included, is ignored.
 */
public final class ClickEventFormatFactory extends JsonEventFormatFactory {
    public static final String IDENTIFIER = "click-event";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    protected EventParser parser(long maxFutureSkewMillis) {
        return new Parser(maxFutureSkewMillis);
    }

    static final class Parser extends EventParser {
        private static final long serialVersionUID = 1L;
        static final long MIN_EPOCH_MILLIS = 946_684_800_000L; // 2000-01-01T00:00:00Z, the schema's minimum
        private static final Pattern ISO = Pattern.compile(
                "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})");
        private static final int EVENT_ID = 0;
        private static final int EVENT_TYPE = 1;
        private static final int USER_ID = 2;
        private static final int ANONYMOUS_ID = 3;
        private static final int SESSION_ID = 4;
        private static final int PRODUCT_ID = 5;
        private static final int PAGE = 6;
        private static final int TIMESTAMP = 7;
        private static final List<Column> COLUMNS = List.of(
                new Column("event_id", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("event_type", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("user_id", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("anonymous_id", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("session_id", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("product_id", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("event_time", new LocalZonedTimestampType(3)),
                new Column("parse_error", new VarCharType(VarCharType.MAX_LENGTH)),
                new Column("payload", new VarCharType(VarCharType.MAX_LENGTH)));

        Parser(long maxFutureSkewMillis) {
            super(maxFutureSkewMillis);
        }

        @Override
        public List<Column> columns() {
            return COLUMNS;
        }

        @Override
        protected int slots() {
            return 8;
        }

        @Override
        protected int slot(String field) {
            switch (field) {
                case "eventId": return EVENT_ID;
                case "eventType": return EVENT_TYPE;
                case "userId": return USER_ID;
                case "anonymousId": return ANONYMOUS_ID;
                case "sessionId": return SESSION_ID;
                case "productId": return PRODUCT_ID;
                case "page": return PAGE;
                case "timestamp": return TIMESTAMP;
                default: return -1;
            }
        }

        @Override
        protected String fill(Object[] v, GenericRowData row, long now) {
            String eventId = string(v[EVENT_ID], 1, 256);
            if (eventId == null) {
                return "eventId missing or not a string of 1-256 characters";
            }
            String eventType = string(v[EVENT_TYPE], 1, 64);
            if (eventType == null) {
                return "eventType missing or not a string of 1-64 characters";
            }
            String userId = string(v[USER_ID], 1, 256);
            if (v[USER_ID] != null && userId == null) {
                return "userId not a string of 1-256 characters";
            }
            String anonymousId = string(v[ANONYMOUS_ID], 1, 256);
            if (v[ANONYMOUS_ID] != null && anonymousId == null) {
                return "anonymousId not a string of 1-256 characters";
            }
            if (userId == null && anonymousId == null) {
                return "userId or anonymousId required";
            }
            String sessionId = string(v[SESSION_ID], 1, 256);
            if (v[SESSION_ID] != null && sessionId == null) {
                return "sessionId not a string of 1-256 characters";
            }
            String productId = string(v[PRODUCT_ID], 1, 256);
            if (v[PRODUCT_ID] != null && productId == null) {
                return "productId not a string of 1-256 characters";
            }
            if (productId == null && "product_view".equals(eventType)) {
                return "productId required on a product_view";
            }
            if (v[PAGE] != null && string(v[PAGE], 1, 2048) == null) {
                return "page not a string of 1-2048 characters";
            }
            long millis = epochMillis(v[TIMESTAMP]);
            if (millis < 0) {
                return "timestamp missing, or neither epoch milliseconds (an integer >= " + MIN_EPOCH_MILLIS
                        + ") nor an ISO 8601 date-time with a zone";
            }
            if (millis > now + maxFutureSkewMillis) {
                return future("timestamp");
            }
            row.setField(0, utf8(eventId));
            row.setField(1, utf8(eventType));
            row.setField(2, utf8(userId));
            row.setField(3, utf8(anonymousId));
            row.setField(4, utf8(sessionId));
            row.setField(5, utf8(productId));
            row.setField(6, TimestampData.fromEpochMillis(millis));
            return null;
        }

        /**
         * The string as Flink's binary string, encoded now by the JDK. (A string from {@code StringData.fromString}
         * is encoded by Flink's own UTF-8 encoder the first time a row is copied, compared or serialized: a fifth of
         * the source task's CPU in the clickstream job's profile, several times what {@code String.getBytes} costs.)
         */
        private static StringData utf8(String s) {
            return s == null ? null : BinaryStringData.fromBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        /** The timestamp as epoch milliseconds, or -1 when the schema rejects it. */
        private static long epochMillis(Object value) {
            if (value instanceof Long) {
                long millis = (Long) value;
                return millis >= MIN_EPOCH_MILLIS ? millis : -1;
            }
            if (value instanceof String && ISO.matcher((String) value).matches()) {
                try {
                    long millis = OffsetDateTime.parse((String) value).toInstant().toEpochMilli();
                    return millis >= 0 ? millis : -1;
                } catch (DateTimeParseException | ArithmeticException e) {
                    return -1; // 2026-02-30T00:00Z matches the pattern and is no date
                }
            }
            return -1;
        }
    }
}
