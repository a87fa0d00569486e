package com.example.kinesispipelines.flink;

import static com.example.kinesispipelines.flink.IotAnomaliesSqlTest.reading;
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
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The late reading of {@code IotAnomaliesSqlTest} with the test source's idle subtasks slowed down, as a loaded machine
 * slows them: their final watermark reaches the operators seconds after they counted themselves finished. The one
 * emitting subtask must still start only once every operator has that watermark, or the late reading reaches the minute
 * aggregate before the watermark that makes it late and is counted (which the source's earlier gate, a fixed 300 ms
 * after the idle subtasks finished, did: every run with this delay, and 7 runs in 8 of the plain test under load).
 */
class IotLateReadingsTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 1, 1, 0, 0);

    @Test
    void dropsTheLateReadingWhenTheIdleSourceSubtasksAreSlowToFinish() throws Exception {
        List<String> lines = List.of(
                reading("d1", "m1", Duration.ofSeconds(10), 1.0, null, null),
                reading("d1", "m1", Duration.ofSeconds(70), 2.0, null, null),  // watermark 65 s: minute 0 closes
                reading("d1", "m1", Duration.ofSeconds(30), 100.0, null, null), // late for minute 0: dropped
                reading("d2", "m1", Duration.ofSeconds(62), 4.0, null, null));  // out of order, minute 1 still open
        String name = "iot-late-slow-idle";
        String data = LinesSourceFactory.register(name, lines);
        List<SqlStatement> statements = SqlFixtures.withConnectors(SqlFixtures.script(JobProperties.IOT_ANOMALIES_SQL), Map.of(
                "iot_raw", SqlFixtures.lines(data) + ", 'idle-end-delay' = '2000'",
                "iot_anomalies", SqlFixtures.collect(name + "-anomalies"),
                "iot_machine_minutes", SqlFixtures.collect(name + "-minutes"),
                "iot_dead_letters", SqlFixtures.collect(name + "-dlq")));

        SqlFixtures.run(SqlFixtures.tableEnv(2), SqlFixtures.groups(statements, Map.of()));

        List<String> minutes = CollectSinkFactory.rows(name + "-minutes").stream().map(Row::toString).sorted()
                .collect(Collectors.toList());
        assertThat(minutes).containsExactly(
                Row.of("iot_machine_minute", "m1", T0, T0.plusMinutes(1), 1L, 1L, 1.0, 1.0, 1.0,
                        null, null, null, null, null).toString(),
                Row.of("iot_machine_minute", "m1", T0.plusMinutes(1), T0.plusMinutes(2), 2L, 2L, 3.0, 2.0, 4.0,
                        null, null, null, null, null).toString());
    }
}
