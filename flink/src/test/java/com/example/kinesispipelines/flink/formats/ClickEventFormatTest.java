package com.example.kinesispipelines.flink.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.junit.jupiter.api.Test;

/**
 * The 'click-event' format alone, record by record: what it accepts, each reason it rejects, the row it fills, and the
 * table check of its factory (ClickstreamSqlTest runs it inside the whole job). Clock-dependent checks call
 * {@code fill} with a fixed "now" instead of reading the clock.
 */
class ClickEventFormatTest {
    private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final long SKEW = 300_000L;
    private final ClickEventFormatFactory.Parser parser = new ClickEventFormatFactory.Parser(SKEW);

    private static String click(String fields) {
        return "{\"eventId\":\"e-1\",\"eventType\":\"page_view\",\"userId\":\"u-1\",\"timestamp\":1704067200000" + fields + "}";
    }

    private GenericRowData parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The reason a record is rejected, or null when the format accepts it. */
    private String reason(String json) {
        GenericRowData row = parse(json);
        return row.getString(7) == null ? null : row.getString(7).toString();
    }

    /** fill() on values as read() stores them, at the fixed clock. */
    private String fillAt(long now, Object... values) {
        return parser.fill(values, new GenericRowData(9), now);
    }

    @Test
    void acceptsAClickAndFillsEveryColumn() {
        GenericRowData row = parse("{\"eventId\":\"e-1\",\"eventType\":\"product_view\",\"userId\":\"u-1\",\"anonymousId\":\"a-1\","
                + "\"sessionId\":\"s-1\",\"productId\":\"p-1\",\"page\":\"/p/1\",\"timestamp\":1704067200000,\"_ingest\":{\"id\":[1]}}");
        assertThat(row.getArity()).isEqualTo(9);
        assertThat(new Object[] {row.getString(0), row.getString(1), row.getString(2), row.getString(3), row.getString(4),
            row.getString(5)}).containsExactly(StringData.fromString("e-1"), StringData.fromString("product_view"),
                StringData.fromString("u-1"), StringData.fromString("a-1"), StringData.fromString("s-1"), StringData.fromString("p-1"));
        assertThat(row.getTimestamp(6, 3)).isEqualTo(TimestampData.fromEpochMillis(1_704_067_200_000L));
        assertThat(row.isNullAt(7)).isTrue();
        assertThat(row.isNullAt(8)).isTrue();
    }

    @Test
    void optionalColumnsAreNullWhenAbsent() {
        GenericRowData row = parse("{\"eventId\":\"e-1\",\"eventType\":\"page_view\",\"anonymousId\":\"a-1\",\"timestamp\":946684800000}");
        assertThat(row.isNullAt(7)).isTrue();
        assertThat(row.isNullAt(2)).isTrue();
        assertThat(row.getString(3)).isEqualTo(StringData.fromString("a-1"));
        assertThat(row.isNullAt(4)).isTrue();
        assertThat(row.isNullAt(5)).isTrue();
        assertThat(row.getTimestamp(6, 3).getMillisecond()).isEqualTo(946_684_800_000L);
    }

    @Test
    void aRejectedRecordKeepsItsBytesAndReasonAndNothingElse() {
        String json = "{\"eventId\":\"é-1\",\"eventType\":\"page_view\",\"timestamp\":1704067200000}";
        GenericRowData row = parse(json);
        assertThat(row.getArity()).isEqualTo(9);
        for (int i = 0; i < 6; i++) {
            assertThat(row.isNullAt(i)).as("column " + i).isTrue();
        }
        assertThat(row.getTimestamp(6, 3)).isEqualTo(TimestampData.fromEpochMillis(0));
        assertThat(row.getString(7)).isEqualTo(StringData.fromString("userId or anonymousId required"));
        assertThat(row.getString(8)).isEqualTo(StringData.fromString(json));
    }

    @Test
    void rejectsWhatIsNotExactlyOneJsonObject() {
        for (String bad : new String[] {"", "  ", "[1]", "\"text\"", "42", "null", "{", "{\"eventId\":\"e\"", "{}{}", "{} x", "{eventId:1}",
            "{\"eventId\":tru}"}) {
            assertThat(reason(bad)).as(bad).isEqualTo(EventParser.NOT_AN_OBJECT);
        }
        assertThat(reason(" " + click("") + "\n")).isNull();
    }

    @Test
    void requiredFieldsWithTheirReasons() {
        assertThat(reason("{\"eventType\":\"x\",\"userId\":\"u\",\"timestamp\":1704067200000}"))
                .isEqualTo("eventId missing or not a string of 1-256 characters");
        assertThat(reason("{\"eventId\":\"e\",\"userId\":\"u\",\"timestamp\":1704067200000}"))
                .isEqualTo("eventType missing or not a string of 1-64 characters");
        assertThat(reason("{\"eventId\":\"e\",\"eventType\":\"x\",\"timestamp\":1704067200000}")).isEqualTo("userId or anonymousId required");
        assertThat(reason("{\"eventId\":\"e\",\"eventType\":\"x\",\"userId\":\"u\"}"))
                .isEqualTo("timestamp missing, or neither epoch milliseconds (an integer >= 946684800000) nor an ISO 8601 date-time with a zone");
        assertThat(reason(click(",\"eventType\":\"product_view\""))).isEqualTo("productId required on a product_view");
        assertThat(reason(click(",\"eventType\":\"product_view\",\"productId\":\"p\""))).isNull();
    }

    @Test
    void optionalFieldsOfTheWrongTypeAreRejectedEachWithItsReason() {
        Map<String, String> reasons = Map.of(
                "userId", "userId not a string of 1-256 characters",
                "anonymousId", "anonymousId not a string of 1-256 characters",
                "sessionId", "sessionId not a string of 1-256 characters",
                "productId", "productId not a string of 1-256 characters",
                "page", "page not a string of 1-2048 characters");
        for (Map.Entry<String, String> e : reasons.entrySet()) {
            for (String value : new String[] {"\"\"", "7", "7.5", "true", "null", "{\"a\":1}", "[\"x\"]", "99999999999999999999"}) {
                assertThat(reason(click(",\"" + e.getKey() + "\":" + value))).as(e.getKey() + "=" + value).isEqualTo(e.getValue());
            }
        }
        assertThat(reason(click(",\"eventId\":false"))).isEqualTo("eventId missing or not a string of 1-256 characters");
        assertThat(reason(click(",\"eventType\":[]"))).isEqualTo("eventType missing or not a string of 1-64 characters");
    }

    @Test
    void stringLengthsAreCountedInCodePointsUpToEachLimit() {
        assertThat(reason(click(",\"eventId\":\"" + "e".repeat(256) + "\""))).isNull();
        assertThat(reason(click(",\"eventId\":\"" + "e".repeat(257) + "\""))).isNotNull();
        assertThat(reason(click(",\"eventType\":\"" + "t".repeat(64) + "\""))).isNull();
        assertThat(reason(click(",\"eventType\":\"" + "t".repeat(65) + "\""))).isEqualTo("eventType missing or not a string of 1-64 characters");
        for (String field : new String[] {"userId", "anonymousId", "sessionId", "productId"}) {
            assertThat(reason(click(",\"" + field + "\":\"" + "x".repeat(256) + "\""))).as(field).isNull();
            assertThat(reason(click(",\"" + field + "\":\"" + "x".repeat(257) + "\""))).as(field).isNotNull();
        }
        assertThat(reason(click(",\"page\":\"" + "p".repeat(2048) + "\""))).isNull();
        assertThat(reason(click(",\"page\":\"" + "p".repeat(2049) + "\""))).isEqualTo("page not a string of 1-2048 characters");
        // 😀 is two UTF-16 units and one code point: 64 of them are 128 chars and still 64 characters for JSON Schema
        String smile = "\uD83D\uDE00";
        assertThat(reason(click(",\"eventType\":\"" + smile.repeat(64) + "\""))).isNull();
        assertThat(reason(click(",\"eventType\":\"" + smile.repeat(65) + "\""))).isNotNull();
        assertThat(reason(click(",\"eventType\":\"" + smile.repeat(63) + "ab\""))).isNotNull();
        assertThat(reason(click(",\"eventType\":\"x\""))).isNull();
    }

    @Test
    void stringChecksItsBoundsDirectly() {
        assertThat(EventParser.string("ab", 2, 2)).isEqualTo("ab");
        assertThat(EventParser.string("a", 2, 3)).isNull();
        assertThat(EventParser.string("abcd", 2, 3)).isNull();
        assertThat(EventParser.string("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", 1, 3)).isNotNull(); // 6 units, 3 code points
        assertThat(EventParser.string("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", 1, 3)).isNull();
        assertThat(EventParser.string(12L, 1, 3)).isNull();
        assertThat(EventParser.string(null, 0, 3)).isNull();
        assertThat(EventParser.data(null)).isNull();
        assertThat(EventParser.data("x")).isEqualTo(StringData.fromString("x"));
    }

    @Test
    void timestampAsEpochMillisFromTheSchemasMinimum() {
        assertThat(reason(click(",\"timestamp\":946684800000"))).isNull();
        assertThat(reason(click(",\"timestamp\":946684799999"))).startsWith("timestamp missing");
        for (String bad : new String[] {"-1", "0", "1.7e12", "1704067200000.0", "\"1704067200000\"", "true", "null", "{}", "[]",
            "99999999999999999999"}) {
            assertThat(reason(click(",\"timestamp\":" + bad))).as(bad).startsWith("timestamp missing");
        }
    }

    @Test
    void timestampAsIso8601WithAZone() {
        Map<String, Long> accepted = Map.of(
                "2024-01-01T00:00Z", 1_704_067_200_000L,
                "2024-01-01T00:00:01Z", 1_704_067_201_000L,
                "2024-01-01T00:00:00.5Z", 1_704_067_200_500L,
                "2024-01-01T02:00:00.123456789+02:00", 1_704_067_200_123L,
                "2023-12-31T19:00:00-05:00", 1_704_067_200_000L,
                "1970-01-01T00:00:00Z", 0L);
        for (Map.Entry<String, Long> e : accepted.entrySet()) {
            GenericRowData row = parse(click(",\"timestamp\":\"" + e.getKey() + "\""));
            assertThat(row.getString(7)).as(e.getKey()).isNull();
            assertThat(row.getTimestamp(6, 3).getMillisecond()).as(e.getKey()).isEqualTo(e.getValue());
        }
        for (String bad : new String[] {"2024-01-01T00:00:00", "2024-01-01", "2024-01-01 00:00:00Z", "2024-02-30T00:00Z",
            "2024-01-01T00:00:00.1234567890Z", "1969-12-31T23:59:59.999Z", "x2024-01-01T00:00Z", "2024-01-01T00:00Zx"}) {
            assertThat(reason(click(",\"timestamp\":\"" + bad + "\""))).as(bad).startsWith("timestamp missing");
        }
    }

    @Test
    void rejectsAnEventTimeBeyondTheClockTolerance() {
        assertThat(fillAt(NOW, "e", "page_view", "u", null, null, null, null, NOW + SKEW)).isNull();
        assertThat(fillAt(NOW, "e", "page_view", "u", null, null, null, null, NOW + SKEW + 1))
                .isEqualTo("timestamp more than 300 s ahead of the clock");
        assertThat(fillAt(NOW, "e", "page_view", "u", null, null, null, null, "2026-01-01T00:05:00Z")).isNull();
        assertThat(fillAt(NOW, "e", "page_view", "u", null, null, null, null, "2026-01-01T00:05:00.001Z")).isNotNull();
        assertThat(new ClickEventFormatFactory.Parser(61_999).future("ts")).isEqualTo("ts more than 61 s ahead of the clock");
        // through parse(), on the real clock: a day ahead is rejected whatever the machine's speed
        assertThat(reason(click(",\"timestamp\":" + (System.currentTimeMillis() + 86_400_000L))))
                .isEqualTo("timestamp more than 300 s ahead of the clock");
    }

    @Test
    void fillsTheRowOnlyWhenTheEventIsAccepted() {
        GenericRowData row = new GenericRowData(9);
        assertThat(parser.fill(new Object[] {"e", "page_view", null, "a", "s", null, "/", 1_704_067_200_000L}, row, NOW)).isNull();
        assertThat(row.getString(0)).isEqualTo(StringData.fromString("e"));
        assertThat(row.getString(3)).isEqualTo(StringData.fromString("a"));
        assertThat(row.getString(4)).isEqualTo(StringData.fromString("s"));
        assertThat(row.getField(2)).isNull();
        assertThat(row.getField(5)).isNull();
        assertThat(row.getField(7)).isNull();
        assertThat(row.getField(8)).isNull();
        assertThat(parser.fill(new Object[] {"e", "page_view", 5L, null, null, null, null, 1_704_067_200_000L}, row, NOW))
                .isEqualTo("userId not a string of 1-256 characters");
        assertThat(parser.fill(new Object[] {"e", "page_view", EventParser.UNUSABLE, null, null, null, null, 1_704_067_200_000L}, row, NOW))
                .isEqualTo("userId not a string of 1-256 characters");
        assertThat(EventParser.UNUSABLE).hasToString("unusable");
    }

    @Test
    void readsDeclaredFieldsByTypeAndSkipsTheRest() {
        // an undeclared field holding a nested eventId is skipped whole; a repeated declared field keeps its last value
        GenericRowData row = parse("{\"x\":{\"eventId\":\"nested\",\"a\":[1,{\"b\":2}]},\"eventId\":\"first\",\"eventType\":\"page_view\","
                + "\"userId\":\"u\",\"eventId\":\"last\",\"timestamp\":1704067200000,\"y\":[{}]}");
        assertThat(row.getString(7)).isNull();
        assertThat(row.getString(0)).isEqualTo(StringData.fromString("last"));
        // a declared object is unusable, and the fields after it are still read
        assertThat(reason(click(",\"sessionId\":{\"eventId\":\"x\"},\"productId\":\"p\""))).isEqualTo("sessionId not a string of 1-256 characters");
        assertThat(reason("{\"eventId\":\"e\",\"page\":[\"a\",{\"b\":[]}],\"eventType\":\"page_view\",\"userId\":\"u\",\"timestamp\":1704067200000}"))
                .isEqualTo("page not a string of 1-2048 characters");
        assertThat(reason("{\"eventId\":\"e\",\"sessionId\":{},\"eventType\":\"t\",\"userId\":\"u\",\"timestamp\":1704067200000}"))
                .isEqualTo("sessionId not a string of 1-256 characters");
        assertThat(parser.columns()).extracting(c -> c.name).containsExactly("event_id", "event_type", "user_id", "anonymous_id",
                "session_id", "product_id", "event_time", "parse_error", "payload");
        assertThat(parser.slots()).isEqualTo(8);
        assertThat(parser.slot("eventId")).isEqualTo(0);
        assertThat(parser.slot("timestamp")).isEqualTo(7);
        assertThat(parser.slot("event_id")).isEqualTo(-1);
    }

    // --- the factory: options and the table's columns

    private static final DataType TABLE = DataTypes.ROW(
            DataTypes.FIELD("event_id", DataTypes.STRING()),
            DataTypes.FIELD("event_type", DataTypes.STRING()),
            DataTypes.FIELD("user_id", DataTypes.STRING()),
            DataTypes.FIELD("anonymous_id", DataTypes.STRING()),
            DataTypes.FIELD("session_id", DataTypes.STRING()),
            DataTypes.FIELD("product_id", DataTypes.STRING()),
            DataTypes.FIELD("event_time", DataTypes.TIMESTAMP_LTZ(3)),
            DataTypes.FIELD("parse_error", DataTypes.STRING()),
            DataTypes.FIELD("payload", DataTypes.STRING()));

    private static final DynamicTableSource.Context CONTEXT = new DynamicTableSource.Context() {
        @Override
        public <T> org.apache.flink.api.common.typeinfo.TypeInformation<T> createTypeInformation(DataType type) {
            return createTypeInformation(type.getLogicalType());
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> org.apache.flink.api.common.typeinfo.TypeInformation<T> createTypeInformation(LogicalType type) {
            return (org.apache.flink.api.common.typeinfo.TypeInformation<T>) InternalTypeInfo.of(type);
        }

        @Override
        public DynamicTableSource.DataStructureConverter createDataStructureConverter(DataType type) {
            throw new UnsupportedOperationException();
        }
    };

    private static DeserializationSchema<RowData> decoder(Map<String, String> options, DataType table) {
        DecodingFormat<DeserializationSchema<RowData>> format =
                new ClickEventFormatFactory().createDecodingFormat(null, Configuration.fromMap(options));
        assertThat(format.getChangelogMode()).isEqualTo(ChangelogMode.insertOnly());
        return format.createRuntimeDecoder(CONTEXT, table);
    }

    @Test
    void factoryDecodesRecordsWithTheConfiguredClockTolerance() throws Exception {
        ClickEventFormatFactory factory = new ClickEventFormatFactory();
        assertThat(factory.factoryIdentifier()).isEqualTo("click-event");
        assertThat(factory.requiredOptions()).isEmpty();
        assertThat(factory.optionalOptions()).containsExactly(JsonEventFormatFactory.MAX_FUTURE_SKEW);
        assertThat(JsonEventFormatFactory.MAX_FUTURE_SKEW.defaultValue()).isEqualTo(Duration.ofMinutes(5));

        String ahead = click(",\"timestamp\":" + (System.currentTimeMillis() + 86_400_000L));
        DeserializationSchema<RowData> byDefault = decoder(Map.of(), TABLE);
        assertThat(byDefault.getProducedType()).isEqualTo(InternalTypeInfo.of(TABLE.getLogicalType()));
        RowData accepted = byDefault.deserialize(click("").getBytes(StandardCharsets.UTF_8));
        assertThat(accepted.isNullAt(7)).isTrue();
        assertThat(byDefault.isEndOfStream(accepted)).isFalse();
        assertThat(byDefault.deserialize(ahead.getBytes(StandardCharsets.UTF_8)).getString(7).toString())
                .isEqualTo("timestamp more than 300 s ahead of the clock");
        DeserializationSchema<RowData> oneMinute = decoder(Map.of("max-future-skew", "1 min"), TABLE);
        assertThat(oneMinute.deserialize(ahead.getBytes(StandardCharsets.UTF_8)).getString(7).toString())
                .isEqualTo("timestamp more than 60 s ahead of the clock");
        // the options are validated first: a bad duration is the planner's ValidationException naming the option
        assertThatThrownBy(() -> decoder(Map.of("max-future-skew", "soon"), TABLE)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("max-future-skew");
    }

    @Test
    void factoryRejectsATableWhoseColumnsDifferFromTheFormats() {
        DataType[] wrong = {
            DataTypes.ROW(DataTypes.FIELD("event_id", DataTypes.STRING())),
            // one column too many
            DataTypes.ROW(DataTypes.FIELD("event_id", DataTypes.STRING()),
                DataTypes.FIELD("event_type", DataTypes.STRING()), DataTypes.FIELD("user_id", DataTypes.STRING()),
                DataTypes.FIELD("anonymous_id", DataTypes.STRING()), DataTypes.FIELD("session_id", DataTypes.STRING()),
                DataTypes.FIELD("product_id", DataTypes.STRING()), DataTypes.FIELD("event_time", DataTypes.TIMESTAMP_LTZ(3)),
                DataTypes.FIELD("parse_error", DataTypes.STRING()), DataTypes.FIELD("payload", DataTypes.STRING()),
                DataTypes.FIELD("extra", DataTypes.STRING())),
            // a name differs
            DataTypes.ROW(DataTypes.FIELD("event_id", DataTypes.STRING()), DataTypes.FIELD("event_type", DataTypes.STRING()),
                DataTypes.FIELD("user_id", DataTypes.STRING()), DataTypes.FIELD("anonymous_id", DataTypes.STRING()),
                DataTypes.FIELD("session_id", DataTypes.STRING()), DataTypes.FIELD("product", DataTypes.STRING()),
                DataTypes.FIELD("event_time", DataTypes.TIMESTAMP_LTZ(3)), DataTypes.FIELD("parse_error", DataTypes.STRING()),
                DataTypes.FIELD("payload", DataTypes.STRING())),
            // a type differs (TIMESTAMP instead of TIMESTAMP_LTZ)
            DataTypes.ROW(DataTypes.FIELD("event_id", DataTypes.STRING()), DataTypes.FIELD("event_type", DataTypes.STRING()),
                DataTypes.FIELD("user_id", DataTypes.STRING()), DataTypes.FIELD("anonymous_id", DataTypes.STRING()),
                DataTypes.FIELD("session_id", DataTypes.STRING()), DataTypes.FIELD("product_id", DataTypes.STRING()),
                DataTypes.FIELD("event_time", DataTypes.TIMESTAMP(3)), DataTypes.FIELD("parse_error", DataTypes.STRING()),
                DataTypes.FIELD("payload", DataTypes.STRING())),
            // the last column's type differs
            DataTypes.ROW(DataTypes.FIELD("event_id", DataTypes.STRING()), DataTypes.FIELD("event_type", DataTypes.STRING()),
                DataTypes.FIELD("user_id", DataTypes.STRING()), DataTypes.FIELD("anonymous_id", DataTypes.STRING()),
                DataTypes.FIELD("session_id", DataTypes.STRING()), DataTypes.FIELD("product_id", DataTypes.STRING()),
                DataTypes.FIELD("event_time", DataTypes.TIMESTAMP_LTZ(3)), DataTypes.FIELD("parse_error", DataTypes.STRING()),
                DataTypes.FIELD("payload", DataTypes.BYTES())),
        };
        for (DataType table : wrong) {
            assertThatThrownBy(() -> decoder(Map.of(), table)).as(table.toString()).isInstanceOf(ValidationException.class)
                    .hasMessage("format 'click-event' produces the columns (event_id STRING, event_type STRING, user_id STRING, "
                            + "anonymous_id STRING, session_id STRING, product_id STRING, event_time TIMESTAMP_LTZ(3), "
                            + "parse_error STRING, payload STRING), in this order; the table declares "
                            + table.getLogicalType().asSummaryString());
        }
    }
}
