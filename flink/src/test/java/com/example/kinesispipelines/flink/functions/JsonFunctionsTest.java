package com.example.kinesispipelines.flink.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON_FIELDS and JSON_EVENT_TIME alone (the whole scripts run in IotAnomaliesSqlTest and ClickstreamSqlTest). */
class JsonFunctionsTest {
    private final JsonFields fields = new JsonFields();
    private final JsonEventTime eventTime = new JsonEventTime();

    @Test
    void jsonFieldsKeepsTopLevelScalarsAsText() {
        Map<String, String> f = fields.eval(
                "{\"s\":\"a\\\"b\",\"i\":12,\"d\":71.30,\"b\":true,\"n\":null,\"o\":{\"x\":1},\"a\":[1,{\"y\":2}],\"s\":\"last\"}");
        assertThat(f).containsExactlyInAnyOrderEntriesOf(Map.of("s", "last", "i", "12", "d", "71.30", "b", "true"));
    }

    @Test
    void jsonFieldsIsNullForAnythingButOneWellFormedObject() {
        for (String bad : new String[] {null, "", "   ", "not json", "[1,2]", "\"text\"", "42", "{\"a\":1", "{\"a\":1}{\"b\":2}",
                "{\"a\":1} trailing", "{a:1}", "{\"a\":tru}"}) {
            assertThat(fields.eval(bad)).as(String.valueOf(bad)).isNull();
        }
        assertThat(fields.eval("{}")).isEmpty();
        assertThat(fields.eval(" {\"a\":\"1\"} \n")).containsEntry("a", "1");
    }

    @Test
    void jsonEventTimeReadsEpochMillisAndFallsBackToTheEpoch() {
        long now = System.currentTimeMillis();
        assertThat(eventTime.eval("{\"x\":{\"ts\":1},\"ts\":1704067200000}", "ts", 300)).isEqualTo(Instant.ofEpochMilli(1704067200000L));
        assertThat(eventTime.eval("{\"ts\":\"1704067200000\"}", "ts", 300)).isEqualTo(Instant.ofEpochMilli(1704067200000L));
        assertThat(eventTime.eval("{\"ts\":" + (now + 60_000) + "}", "ts", 300)).isEqualTo(Instant.ofEpochMilli(now + 60_000));
        for (String bad : new String[] {null, "garbage", "[]", "{\"t\":1}", "{\"ts\":0}", "{\"ts\":-5}", "{\"ts\":1.5e12}",
                "{\"ts\":\"yesterday\"}", "{\"ts\":null}", "{\"ts\":" + (now + 600_000) + "}", "{\"ts\":99999999999999999999}"}) {
            assertThat(eventTime.eval(bad, "ts", 300)).as(String.valueOf(bad)).isEqualTo(Instant.EPOCH);
        }
    }
}
