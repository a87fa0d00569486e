package com.example.kinesispipelines.flink;

import static com.example.kinesispipelines.flink.testing.SqlFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.example.kinesispipelines.flink.testing.CollectSinkFactory;
import com.example.kinesispipelines.flink.testing.LinesSourceFactory;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** sql/iot-anomalies.sql on a MiniCluster (parallelism 2), Kinesis tables swapped for test connectors. */
class IotAnomaliesSqlTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 1, 1, 0, 0);

    /** Runs the script over the lines (in this order) and returns the rows of the three sink tables. */
    private static Map<String, List<Row>> run(String name, List<String> lines, Map<String, String> parameters) throws Exception {
        String data = LinesSourceFactory.register(name, lines);
        List<SqlStatement> statements = SqlFixtures.withConnectors(SqlFixtures.script(JobProperties.IOT_ANOMALIES_SQL), Map.of(
                "iot_raw", SqlFixtures.lines(data),
                "iot_anomalies", SqlFixtures.collect(name + "-anomalies"),
                "iot_machine_minutes", SqlFixtures.collect(name + "-minutes"),
                "iot_dead_letters", SqlFixtures.collect(name + "-dlq")));
        SqlFixtures.run(SqlFixtures.tableEnv(2), SqlFixtures.groups(statements, parameters));
        return Map.of(
                "anomalies", CollectSinkFactory.rows(name + "-anomalies"),
                "minutes", CollectSinkFactory.rows(name + "-minutes"),
                "dlq", CollectSinkFactory.rows(name + "-dlq"));
    }

    static String reading(String device, String machine, Duration offset, Double temperature, Double vibration, Double pressure) {
        StringBuilder json = new StringBuilder("{\"deviceId\":\"" + device + "\",\"machineId\":\"" + machine + "\",\"ts\":" + at(offset));
        if (temperature != null) {
            json.append(",\"temperature\":").append(temperature);
        }
        if (vibration != null) {
            json.append(",\"vibration\":").append(vibration);
        }
        if (pressure != null) {
            json.append(",\"pressure\":").append(pressure);
        }
        return json.append('}').toString();
    }

    private static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    /** Alternating 20/21 (mean 20.5, population stddev 0.5) at 0, 10, ..., 50 s. */
    private static List<String> baseline(String device, String machine) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lines.add(reading(device, machine, s(10L * i), i % 2 == 0 ? 20.0 : 21.0, 0.1, 100.0 + (i % 2)));
        }
        return lines;
    }

    private static void assertAnomaly(Row row, String device, Duration offset, String metric, double reading,
            double mean, double stddev, long samples) {
        assertThat(row.getField(0)).isEqualTo("iot_anomaly");
        assertThat(row.getField(1)).isEqualTo(device);
        assertThat(row.getField(3)).isEqualTo(Instant.ofEpochMilli(at(offset)));
        assertThat(row.getField(4)).isEqualTo(metric);
        assertThat((Double) row.getField(5)).isEqualTo(reading);
        assertThat((Double) row.getField(6)).isCloseTo(mean, within(1e-9));
        assertThat((Double) row.getField(7)).isCloseTo(stddev, within(1e-9));
        assertThat((Double) row.getField(8)).isCloseTo((reading - mean) / stddev, within(1e-6));
        assertThat(row.getField(9)).isEqualTo(samples);
        assertThat(row.getField(10)).isEqualTo(3.0);
    }

    @Test
    void flagsReadingsBeyondKSigmaWithTheStatisticsThatFlaggedThem() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.addAll(baseline("d1", "m1"));                               // 0..50 s
        lines.addAll(baseline("d3", "m1"));
        lines.add(reading("d2", "m2", s(0), 10.0, null, null));           // only 2 readings before the spike:
        lines.add(reading("d2", "m2", s(10), 10.5, null, null));          // below anomaly.min.samples (5)
        lines.add(reading("d2", "m2", s(20), 50.0, null, null));
        lines.add(reading("d1", "m1", s(60), 30.0, 0.1, 100.5));          // temperature z = +19; vibration stddev 0
        lines.add(reading("d3", "m1", s(60), 20.5, 0.1, 90.0));           // pressure z = -21
        lines.add(reading("d1", "m1", s(70), 20.5, 0.1, 100.5));          // within 3 sigma of the 7 before it
        lines.sort(Comparator.comparing(l -> l.replaceAll(".*\"ts\":(\\d+).*", "$1")));

        List<Row> anomalies = run("iot-flags", lines, Map.of()).get("anomalies");

        anomalies.sort(Comparator.comparing(r -> (String) r.getField(1)));
        assertThat(anomalies).hasSize(2);
        assertAnomaly(anomalies.get(0), "d1", s(60), "temperature", 30.0, 20.5, 0.5, 6);
        assertThat(anomalies.get(0).getField(2)).isEqualTo("m1");
        assertAnomaly(anomalies.get(1), "d3", s(60), "pressure", 90.0, 100.5, 0.5, 6);
    }

    @Test
    void rollingWindowIncludesItsLowerBoundAndNothingOlder() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.addAll(baseline("d4", "m1"));
        lines.addAll(baseline("d5", "m1"));
        // 600 s after the first reading: the 10-minute frame [0 s, 600 s] still holds it (6 prior readings);
        // 601 s: the frame [1 s, 601 s] has lost it (5 prior readings: 21, 20, 21, 20, 21).
        lines.add(reading("d4", "m1", s(600), 30.0, 0.1, 100.5));
        lines.add(reading("d5", "m1", s(601), 30.0, 0.1, 100.5));
        lines.sort(Comparator.comparing(l -> l.replaceAll(".*\"ts\":(\\d+).*", "$1")));

        List<Row> anomalies = run("iot-frame", lines, Map.of()).get("anomalies");

        anomalies.sort(Comparator.comparing(r -> (String) r.getField(1)));
        assertThat(anomalies).hasSize(2);
        assertAnomaly(anomalies.get(0), "d4", s(600), "temperature", 30.0, 20.5, 0.5, 6);
        assertAnomaly(anomalies.get(1), "d5", s(601), "temperature", 30.0, 20.6, Math.sqrt(0.24), 5);
    }

    @Test
    void sigmaAndMinimumSamplesComeFromParameters() throws Exception {
        List<String> lines = new ArrayList<>(baseline("d1", "m1"));
        lines.add(reading("d1", "m1", s(60), 21.8, 0.1, 100.5)); // z = +2.6: flagged at k = 2.5, not at k = 3

        assertThat(run("iot-k3", lines, Map.of()).get("anomalies")).isEmpty();
        List<Row> flagged = run("iot-k25", lines, Map.of("anomaly.sigma", "2.5")).get("anomalies");
        assertThat(flagged).hasSize(1);
        assertThat(flagged.get(0).getField(10)).isEqualTo(2.5);
        assertThat(run("iot-min7", lines, Map.of("anomaly.sigma", "2.5", "anomaly.min.samples", "7")).get("anomalies")).isEmpty();
    }

    @Test
    void aggregatesEachMachinePerMinuteWithExactBoundaries() throws Exception {
        List<String> lines = List.of(
                reading("d1", "m1", s(10), 20.0, 0.2, 100.0),
                reading("d9", "m2", s(30), 5.0, 1.5, 99.0),
                reading("d2", "m1", Duration.ofMillis(59_999), 22.0, 0.4, null), // last millisecond of minute 0
                reading("d1", "m1", s(60), 30.0, 0.3, 101.0));                  // first of minute 1

        List<Row> minutes = run("iot-minutes", lines, Map.of()).get("minutes");

        List<String> actual = minutes.stream().map(Row::toString).sorted().collect(Collectors.toList());
        assertThat(actual).containsExactly(
                Row.of("iot_machine_minute", "m1", T0, T0.plusMinutes(1), 2L, 2L, 21.0, 20.0, 22.0,
                        0.30000000000000004, 0.4, 100.0, 100.0, 100.0).toString(),
                Row.of("iot_machine_minute", "m1", T0.plusMinutes(1), T0.plusMinutes(2), 1L, 1L, 30.0, 30.0, 30.0,
                        0.3, 0.3, 101.0, 101.0, 101.0).toString(),
                Row.of("iot_machine_minute", "m2", T0, T0.plusMinutes(1), 1L, 1L, 5.0, 5.0, 5.0,
                        1.5, 1.5, 99.0, 99.0, 99.0).toString());
    }

    @Test
    void dropsEventsBehindTheWatermarkAndKeepsOutOfOrderOnesWithinTheDelay() throws Exception {
        // Arrival order; watermark = max event time - 5 s.
        List<String> lines = List.of(
                reading("d1", "m1", s(10), 1.0, null, null),
                reading("d1", "m1", s(70), 2.0, null, null),  // watermark 65 s: minute 0 closes
                reading("d1", "m1", s(30), 100.0, null, null), // late for minute 0: dropped
                reading("d2", "m1", s(62), 4.0, null, null));  // out of order, but minute 1 is still open

        List<Row> minutes = run("iot-late", lines, Map.of()).get("minutes");

        List<String> actual = minutes.stream().map(Row::toString).sorted().collect(Collectors.toList());
        assertThat(actual).containsExactly(
                Row.of("iot_machine_minute", "m1", T0, T0.plusMinutes(1), 1L, 1L, 1.0, 1.0, 1.0,
                        null, null, null, null, null).toString(),
                Row.of("iot_machine_minute", "m1", T0.plusMinutes(1), T0.plusMinutes(2), 2L, 2L, 3.0, 2.0, 4.0,
                        null, null, null, null, null).toString());
    }

    @Test
    void routesMalformedRecordsToTheDeadLetterTableWithoutFailingTheJob() throws Exception {
        long ts = at(s(5));
        String longId = "x".repeat(129);
        List<String> bad = List.of(
                "not json at all",
                "",
                "[1,2,3]",
                "{\"machineId\":\"m1\",\"ts\":" + ts + ",\"temperature\":1}",
                "{\"deviceId\":\"" + longId + "\",\"machineId\":\"m1\",\"ts\":" + ts + ",\"temperature\":1}",
                "{\"deviceId\":\"d1\",\"ts\":" + ts + ",\"temperature\":1}",
                "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"temperature\":1}",
                "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"ts\":\"yesterday\",\"temperature\":1}",
                "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"ts\":4102444800000,\"temperature\":1}",
                "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"ts\":" + ts + ",\"temperature\":\"hot\"}",
                "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"ts\":" + ts + "");
        List<String> lines = new ArrayList<>();
        lines.add(reading("d1", "m1", s(1), 20.0, null, null));
        lines.addAll(bad);
        lines.add(reading("d1", "m1", s(2), 22.0, null, null));

        Map<String, List<Row>> out = run("iot-dlq", lines, Map.of());

        String ts300 = "ts missing, not epoch milliseconds, or more than 300 s ahead of the clock";
        List<String> expected = List.of(
                dead("not a JSON object", bad.get(0)),
                dead("not a JSON object", bad.get(1)),
                dead("not a JSON object", bad.get(2)),
                dead("deviceId missing or not 1-128 characters", bad.get(3)),
                dead("deviceId missing or not 1-128 characters", bad.get(4)),
                dead("machineId missing or not 1-128 characters", bad.get(5)),
                dead(ts300, bad.get(6)),
                dead(ts300, bad.get(7)),
                dead(ts300, bad.get(8)),
                dead("no numeric reading (temperature, vibration, pressure)", bad.get(9)),
                dead("not a JSON object", bad.get(10)));
        assertThat(out.get("dlq").stream().map(Row::toString).collect(Collectors.toList()))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(out.get("minutes").stream().map(Row::toString).collect(Collectors.toList())).containsExactly(
                Row.of("iot_machine_minute", "m1", T0, T0.plusMinutes(1), 2L, 1L, 21.0, 20.0, 22.0,
                        null, null, null, null, null).toString());
    }

    private static String dead(String error, String payload) {
        return Row.of("dead_letter", "iot-anomalies", error, payload).toString();
    }
}
