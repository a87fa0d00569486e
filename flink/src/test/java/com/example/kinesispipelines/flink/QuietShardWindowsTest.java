package com.example.kinesispipelines.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.kinesispipelines.flink.testing.CollectSinkFactory;
import com.example.kinesispipelines.flink.testing.LinesSourceFactory;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both scripts when one source subtask's shards go quiet: that subtask turns idle after {@code source.idle.timeout},
 * the other subtask's watermark alone closes the windows, and the windows must hold the quiet subtask's records. (A
 * two-phase window aggregate keeps them in the quiet subtask's local pre-aggregate, which only its own watermark or a
 * checkpoint flushes; they then reach the global aggregate behind its watermark and are dropped.) Both source
 * subtasks are idle before the other one starts, so every window aggregate subtask has turned idle too: the clickstream
 * top products must still come out (a window Top-N behind a per-product window aggregate dropped them as late in 1 of
 * 3 runs on the loaded machine: the rank operator followed the aggregate subtask without the quiet product's counts).
 */
class QuietShardWindowsTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 1, 1, 0, 0);
    /** Well below {@link LinesSourceFactory#QUIET_PAUSE}: the quiet subtask is idle before the other one starts. */
    private static final Map<String, String> PARAMETERS = Map.of("source.idle.timeout", "100 ms");

    private static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    private static String reading(String device, String machine, Duration offset, double temperature) {
        return "{\"deviceId\":\"" + device + "\",\"machineId\":\"" + machine + "\",\"ts\":" + SqlFixtures.at(offset)
                + ",\"temperature\":" + temperature + "}";
    }

    /**
     * Parallelism 2 with periodic watermarks every 50 ms: the idle timeout is checked on the watermark timer, which
     * {@link SqlFixtures#tableEnv} turns off (a watermark after every record).
     */
    private static StreamTableEnvironment tableEnv() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.getConfig().setAutoWatermarkInterval(50);
        return StreamTableEnvironment.create(env);
    }

    private static String options(String data) {
        return SqlFixtures.lines(data) + ", 'mode' = 'quiet-shard'";
    }

    @Test
    void iotMachineMinutesHoldTheReadingsOfAQuietShard() throws Exception {
        String data = LinesSourceFactory.registerQuietShard("iot-quiet",
                List.of(reading("d2", "m2", s(10), 20.0),
                        reading("d2", "m2", s(20), 22.0)),
                List.of(reading("d1", "m1", s(15), 30.0),
                        reading("d1", "m1", s(200), 31.0))); // closes minute 0
        List<SqlStatement> statements = SqlFixtures.withConnectors(SqlFixtures.script(JobProperties.IOT_ANOMALIES_SQL), Map.of(
                "iot_raw", options(data),
                "iot_anomalies", SqlFixtures.collect("iot-quiet-anomalies"),
                "iot_machine_minutes", SqlFixtures.collect("iot-quiet-minutes"),
                "iot_dead_letters", SqlFixtures.collect("iot-quiet-dlq")));

        SqlFixtures.run(tableEnv(), SqlFixtures.groups(statements, PARAMETERS));

        // machine, window start, readings, mean temperature
        List<String> minutes = CollectSinkFactory.rows("iot-quiet-minutes").stream()
                .map(r -> r.getField(1) + " " + r.getField(2) + " " + r.getField(4) + " " + r.getField(6))
                .sorted().collect(Collectors.toList());
        assertThat(minutes).containsExactly(
                "m1 " + T0 + " 1 30.0",
                "m1 " + T0.plusMinutes(3) + " 1 31.0",
                "m2 " + T0 + " 2 21.0");
    }

    @Test
    void clickstreamTrafficMinutesAndTopProductsHoldTheClicksOfAQuietShard() throws Exception {
        String data = LinesSourceFactory.registerQuietShard("click-quiet",
                List.of(ClickstreamSqlTest.click("page_view", null, "s2", "u2", s(10)),
                        ClickstreamSqlTest.click("product_view", "p2", "s2", "u2", s(20))),
                List.of(ClickstreamSqlTest.click("page_view", null, "s1", "u1", s(15)),
                        ClickstreamSqlTest.click("page_view", null, "s1", "u1", s(400)))); // closes minutes 0 to 5
        List<SqlStatement> statements = SqlFixtures.withConnectors(
                SqlFixtures.script(JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL), Map.of(
                        "clicks_raw", options(data),
                        "top_products", SqlFixtures.collect("click-quiet-top"),
                        "traffic_minutes", SqlFixtures.collect("click-quiet-traffic"),
                        "click_dead_letters", SqlFixtures.collect("click-quiet-dlq")));

        SqlFixtures.run(tableEnv(), SqlFixtures.groups(statements, PARAMETERS));

        // window start, events, users
        List<String> traffic = CollectSinkFactory.rows("click-quiet-traffic").stream()
                .map(r -> r.getField(1) + " " + r.getField(3) + " " + r.getField(9))
                .sorted().collect(Collectors.toList());
        assertThat(traffic).containsExactly(T0 + " 3 2", T0.plusMinutes(6) + " 1 1");
        // The quiet subtask's product view, in the five windows holding 00:00:20, each closed by the other subtask's
        // watermark after the quiet one turned idle (rank, product, views).
        List<String> top = CollectSinkFactory.rows("click-quiet-top").stream()
                .map(r -> r.getField(1) + " " + r.getField(2) + " " + r.getField(3) + " " + r.getField(4) + " " + r.getField(5))
                .sorted().collect(Collectors.toList());
        assertThat(top).containsExactly(
                T0.minusMinutes(4) + " " + T0.plusMinutes(1) + " 1 p2 1",
                T0.minusMinutes(3) + " " + T0.plusMinutes(2) + " 1 p2 1",
                T0.minusMinutes(2) + " " + T0.plusMinutes(3) + " 1 p2 1",
                T0.minusMinutes(1) + " " + T0.plusMinutes(4) + " 1 p2 1",
                T0 + " " + T0.plusMinutes(5) + " 1 p2 1");
    }
}
