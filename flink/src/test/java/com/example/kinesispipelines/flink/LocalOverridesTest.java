package com.example.kinesispipelines.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.catalog.ObjectPath;
import org.junit.jupiter.api.Test;

/**
 * The LocalOverrides group: the options every kinesis table of the shipped scripts ends up with in the catalog, with and
 * without the group, tables of other connectors untouched, the SQL text unchanged, and unknown keys refused.
 */
class LocalOverridesTest {
    private static final String SOURCE = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";
    private static final String CONSUMER = SOURCE + "/consumer/flink-clicks:1700000000";
    private static final String SINK = "arn:aws:kinesis:eu-west-1:123456789012:stream/results";

    private static Map<String, String> local() {
        Map<String, String> o = new HashMap<>();
        o.put("aws.endpoint", "http://127.0.0.1:5000");
        o.put("aws.region", "us-east-1");
        o.put("aws.credentials.provider", "BASIC");
        o.put("aws.credentials.basic.accesskeyid", "testing");
        o.put("aws.credentials.basic.secretkey", "testing");
        o.put("scan.stream.recordpublisher", "POLLING");
        o.put("sink.http-client.protocol.version", "HTTP1_1");
        return o;
    }

    private static Map<String, Properties> groups(Map<String, String> sql, Map<String, String> overrides) {
        Map<String, Properties> g = new HashMap<>();
        Properties s = new Properties();
        s.putAll(sql);
        g.put(JobProperties.SQL_STATEMENTS_GROUP, s);
        Properties p = new Properties();
        p.putAll(Map.of("source.stream.arn", SOURCE, "source.efo.consumer.arn", CONSUMER, "sink.stream.arn", SINK));
        g.put(JobProperties.SQL_PARAMETERS_GROUP, p);
        if (overrides != null) {
            Properties o = new Properties();
            o.putAll(overrides);
            g.put(JobProperties.LOCAL_OVERRIDES_GROUP, o);
        }
        return g;
    }

    /** The options of each table the statements created, as the catalog holds them after planning every INSERT. */
    private static Map<String, Map<String, String>> tableOptions(Map<String, Properties> groups, String... tables) throws Exception {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        assertThat(KinesisSqlJob.prepare(tEnv, groups).explain()).contains("Sink(table=[default_catalog.default_database.");
        Map<String, Map<String, String>> out = new HashMap<>();
        for (String table : tables) {
            out.put(table, tEnv.getCatalog(tEnv.getCurrentCatalog()).orElseThrow()
                    .getTable(new ObjectPath(tEnv.getCurrentDatabase(), table)).getOptions());
        }
        return out;
    }

    private static List<String> texts(Map<String, Properties> groups) {
        return KinesisSqlJob.resolve(groups).stream().map(SqlStatement::text).collect(java.util.stream.Collectors.toList());
    }

    @Test
    void pointsEveryKinesisTableOfTheClickstreamScriptAtTheOverriddenEndpointAndPolls() throws Exception {
        Map<String, Map<String, String>> t = tableOptions(
                groups(Map.of("sql.resource", JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL), local()),
                "clicks_raw", "top_products", "traffic_minutes", "click_dead_letters");
        Map<String, String> source = t.get("clicks_raw");
        assertThat(source).containsAllEntriesOf(local())
                .containsEntry("stream", "clicks").containsEntry("format", "click-event")
                .containsEntry("scan.stream.initpos", "LATEST");
        assertThat(source.keySet()).noneMatch(k -> k.startsWith("scan.stream.efo."));
        for (String sink : List.of("top_products", "traffic_minutes", "click_dead_letters")) {
            assertThat(t.get(sink)).containsAllEntriesOf(local()).containsEntry("stream", "results").containsEntry("format", "json");
        }
    }

    @Test
    void withoutTheGroupTheTablesKeepTheirDdlOptionsExactly() throws Exception {
        Map<String, Map<String, String>> t = tableOptions(
                groups(Map.of("sql.resource", JobProperties.IOT_ANOMALIES_SQL), null), "iot_raw", "iot_anomalies");
        assertThat(t.get("iot_raw")).containsOnly(
                Map.entry("connector", "kinesis"), Map.entry("stream", "clicks"), Map.entry("aws.region", "eu-west-1"),
                Map.entry("format", "sensor-reading"), Map.entry("sensor-reading.max-future-skew", "300 s"),
                Map.entry("scan.stream.initpos", "LATEST"),
                Map.entry("scan.stream.recordpublisher", "EFO"), Map.entry("scan.stream.efo.registration", "NONE"),
                Map.entry("scan.stream.efo.consumername", "flink-clicks"),
                Map.entry("scan.stream.efo.consumerarn.clicks", CONSUMER));
        assertThat(t.get("iot_anomalies")).doesNotContainKeys("aws.endpoint", "aws.credentials.provider");
    }

    @Test
    void keepsTheEfoOptionsWhenTheOverrideLeavesTheRecordPublisherAlone() throws Exception {
        Map<String, String> o = local();
        o.remove("scan.stream.recordpublisher");
        Map<String, String> source = tableOptions(
                groups(Map.of("sql.resource", JobProperties.IOT_ANOMALIES_SQL), o), "iot_raw").get("iot_raw");
        assertThat(source).containsAllEntriesOf(o).containsEntry("scan.stream.recordpublisher", "EFO")
                .containsEntry("scan.stream.efo.consumerarn.clicks", CONSUMER);
    }

    @Test
    void leavesTablesOfOtherConnectorsAndTheSqlTextUntouched() throws Exception {
        String datagen = "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')";
        String blackhole = "CREATE TEMPORARY TABLE snk (id BIGINT) WITH ('connector' = 'blackhole')";
        Map<String, String> sql = Map.of("statement.000", datagen, "statement.001", blackhole,
                "statement.002", "INSERT INTO snk SELECT id FROM src");
        Map<String, Map<String, String>> t = tableOptions(groups(sql, local()), "src");
        assertThat(t.get("src")).containsOnly(Map.entry("connector", "datagen"), Map.entry("number-of-rows", "1"));
        assertThat(texts(groups(Map.of("sql.resource", JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL), local())))
                .isEqualTo(texts(groups(Map.of("sql.resource", JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL), null)));
    }

    @Test
    void throwsNamingAnUnknownKey() {
        Map<String, String> o = local();
        o.put("aws.endpiont", "http://127.0.0.1:5000");
        assertThatThrownBy(() -> KinesisSqlJob.prepare(TableEnvironment.create(EnvironmentSettings.inStreamingMode()),
                groups(Map.of("sql.resource", JobProperties.IOT_ANOMALIES_SQL), o)))
                .isInstanceOf(JobConfigurationException.class)
                .hasMessageStartingWith("property group LocalOverrides: unknown key 'aws.endpiont'; allowed: aws.endpoint, ");
    }

    @Test
    void throwsNamingAnEmptyValue() {
        Map<String, String> o = local();
        o.put("aws.endpoint", " ");
        assertThatThrownBy(() -> LocalOverrides.from(groups(Map.of(), o)))
                .isInstanceOf(JobConfigurationException.class)
                .hasMessage("property group LocalOverrides: key 'aws.endpoint' must hold 1 to 2048 characters, got 1");
    }
}
