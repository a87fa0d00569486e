package com.example.kinesispipelines.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.example.kinesispipelines.flink.testing.CollectSinkFactory;
import com.example.kinesispipelines.flink.testing.LinesSourceFactory;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sql/iot-anomalies.sql (the sensor-reading format) and its variant with the ROLLING_SUMS step instead of the OVER
 * window (src/test/resources/reference/iot-anomalies-rolling-sums.sql) against the script the format replaced
 * (reference/iot-anomalies-text-over-window.sql: the payload as raw text, JSON_FIELDS and JSON_EVENT_TIME), on the
 * same records: every anomaly, machine minute and dead letter must be the same, the shipped script's to the last bit,
 * the variant's anomaly statistics up to the order of floating-point subtractions (see below).
 * The records are generated with a fixed seed and hold what the two could disagree on: readings at the same time
 * (peers of the RANGE frame), out-of-order and late ones, devices quiet for longer than 1.5 windows (their state is
 * cleared), readings as numbers, strings of digits, "hot", integers and -0, and every kind of malformed record. One
 * source subtask (parallelism 1) so that rows and watermarks reach each operator in the same order in both runs, and
 * so every late row is the same.
 */
@Disabled("Work in progress (issue 13): not yet green; its last full run matched dead letters, minutes and the anomaly set, and failed on statistics 1.5e-9 apart (tolerance since raised)")
class IotAnomaliesEquivalenceTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String REFERENCE_SQL = "reference/iot-anomalies-text-over-window.sql";
    /** The shipped script with its OVER window replaced by the ROLLING_SUMS step. */
    static final String ROLLING_SUMS_SQL = "reference/iot-anomalies-rolling-sums.sql";
    private static final long T0 = SqlFixtures.at(java.time.Duration.ZERO);

    /** Records of 6 devices on 3 machines over about an hour of event time. */
    static List<String> records(long seed, int count) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < count; i++) {
            int step = random.nextInt(10);
            t += step < 3 ? 0 : step < 9 ? 250L * random.nextInt(8) : random.nextInt(50) == 0 ? 100_000 : 2_000;
            int device = random.nextInt(6);
            long ts = T0 + t;
            if (random.nextInt(12) == 0) {
                ts -= random.nextInt(15_000); // out of order: within the 5 s delay, or late
            }
            if (random.nextInt(40) == 0) {
                lines.add(malformed(random, ts));
                continue;
            }
            StringBuilder json = new StringBuilder("{\"deviceId\":\"d" + device + "\",\"machineId\":\"m" + device % 3
                    + "\",\"ts\":" + ts);
            double temperature = Math.round((20 + device + random.nextGaussian()) * 10) / 10.0
                    + (random.nextInt(60) == 0 ? 15 : 0);
            json.append(",\"temperature\":").append(temperature);
            if (random.nextInt(4) != 0) {
                json.append(",\"vibration\":").append(random.nextInt(3) == 0 ? "0.1" : String.format(Locale.ROOT, "%.3f",
                        0.01 + random.nextDouble() / 100));
            }
            int pressure = random.nextInt(20);
            json.append(pressure == 0 ? ",\"pressure\":\"hot\"" : pressure == 1 ? ",\"pressure\":\"101.25\""
                    : pressure == 2 ? ",\"pressure\":101" : pressure == 3 ? ",\"pressure\":-0"
                    : ",\"pressure\":" + (101 + random.nextInt(5) / 10.0));
            lines.add(json.append('}').toString());
        }
        return lines;
    }

    private static String malformed(Random random, long ts) {
        String[] kinds = {
            "not json",
            "",
            "[1,2]",
            "{\"ts\":" + ts + ",\"deviceId\":\"d1\",\"machineId\":\"m1\",\"temperature\":1", // truncated after ts
            "{\"machineId\":\"m1\",\"ts\":" + ts + ",\"temperature\":1}",
            "{\"deviceId\":\"" + "x".repeat(129) + "\",\"machineId\":\"m1\",\"ts\":" + ts + ",\"temperature\":1}",
            "{\"deviceId\":\"d1\",\"ts\":" + ts + ",\"temperature\":1}",
            "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"ts\":\"yesterday\",\"temperature\":1}",
            "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"ts\":" + ts + ",\"temperature\":\"hot\"}",
            "{\"deviceId\":\"d1\",\"machineId\":\"m1\",\"ts\":" + ts + ",\"ts\":{\"a\":1},\"temperature\":null}",
            "{\"deviceId\":{\"id\":1},\"machineId\":\"m1\",\"ts\":" + ts + ",\"temperature\":2}",
            "{\"deviceId\":\"d2\",\"deviceId\":null,\"machineId\":7,\"ts\":\"" + ts + "\",\"temperature\":\"2e1\"}", // valid
            "{\"deviceId\":\"dé\",\"machineId\":\"m2\",\"ts\":" + ts + ",\"vibration\":true,\"pressure\":99.5}", // valid
        };
        return kinds[random.nextInt(kinds.length)];
    }

    private static Map<String, List<Row>> run(String name, String script, List<String> lines,
            Map<String, String> parameters) throws Exception {
        String data = LinesSourceFactory.register(name, lines);
        List<SqlStatement> statements = SqlFixtures.withConnectors(SqlFixtures.script(script), Map.of(
                "iot_raw", SqlFixtures.lines(data),
                "iot_anomalies", SqlFixtures.collect(name + "-anomalies"),
                "iot_machine_minutes", SqlFixtures.collect(name + "-minutes"),
                "iot_dead_letters", SqlFixtures.collect(name + "-dlq")));
        SqlFixtures.run(SqlFixtures.tableEnv(1), SqlFixtures.groups(statements, parameters));
        return Map.of(
                "anomalies", CollectSinkFactory.rows(name + "-anomalies"),
                "minutes", CollectSinkFactory.rows(name + "-minutes"),
                "dlq", CollectSinkFactory.rows(name + "-dlq"));
    }

    private static List<String> sorted(List<Row> rows) {
        return rows.stream().map(Row::toString).sorted().collect(Collectors.toList());
    }

    /** An anomaly without its mean, standard deviation and z-score (fields 6-8). */
    private static String withoutStatistics(Row row) {
        Row copy = Row.copy(row);
        for (int field = 6; field <= 8; field++) {
            copy.setField(field, null);
        }
        return copy.toString();
    }

    @Test
    void producesTheRowsOfTheTextAndOverWindowScript() throws Exception {
        List<String> lines = records(13, 4000);
        Map<String, String> parameters = Map.of("stats.window.minutes", "1", "anomaly.min.samples", "3",
                "anomaly.sigma", "1.5");

        Map<String, List<Row>> expected = run("eq-reference", REFERENCE_SQL, lines, parameters);
        Map<String, List<Row>> shipped = run("eq-shipped", JobProperties.IOT_ANOMALIES_SQL, lines, parameters);
        Map<String, List<Row>> rolling = run("eq-rolling", ROLLING_SUMS_SQL, lines, parameters);

        assertThat(expected.get("anomalies")).hasSizeGreaterThan(100);
        assertThat(expected.get("dlq")).hasSizeGreaterThan(30);
        long readings = expected.get("minutes").stream().mapToLong(row -> (Long) row.getField(4)).sum();
        long valid = lines.size() - expected.get("dlq").size();
        assertThat(readings).as("some readings are late and dropped").isLessThan(valid);
        for (String output : List.of("dlq", "minutes", "anomalies")) {
            sameRows("shipped " + output, shipped.get(output), expected.get(output));
        }
        sameRows("rolling dlq", rolling.get("dlq"), expected.get("dlq"));
        sameRows("rolling minutes", rolling.get("minutes"), expected.get("minutes"));
        // The same anomalies (device, time, metric, reading, samples); their statistics equal up to the order in
        // which Flink's OVER window, on the heap backend, subtracts several times that leave the frame at once
        // (hash-map order there, time order in ROLLING_SUMS and on RocksDB), which the variance formula amplifies
        // (mean squared over variance: about 1e6 for pressure).
        Comparator<Row> order = Comparator.comparing(IotAnomaliesEquivalenceTest::withoutStatistics);
        List<Row> a = new ArrayList<>(rolling.get("anomalies"));
        List<Row> e = new ArrayList<>(expected.get("anomalies"));
        a.sort(order);
        e.sort(order);
        assertThat(a.stream().map(IotAnomaliesEquivalenceTest::withoutStatistics).collect(Collectors.toList()))
                .containsExactlyElementsOf(e.stream().map(IotAnomaliesEquivalenceTest::withoutStatistics).collect(Collectors.toList()));
        int bitIdentical = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int field = 6; field <= 8; field++) {
                double x = (Double) a.get(i).getField(field);
                double y = (Double) e.get(i).getField(field);
                assertThat(x).as(a.get(i) + " field " + field).isCloseTo(y, within(1e-6 * Math.max(1, Math.abs(y))));
            }
            bitIdentical += a.get(i).equals(e.get(i)) ? 1 : 0;
        }
        System.out.printf("IotAnomaliesEquivalenceTest: %d anomalies, %d bit-identical with ROLLING_SUMS%n", a.size(),
                bitIdentical);
    }

    private static void sameRows(String what, List<Row> actual, List<Row> expected) {
        List<String> a = sorted(actual);
        List<String> e = sorted(expected);
        assertThat(difference(a, e)).as(what + " only in the new script").isEmpty();
        assertThat(difference(e, a)).as(what + " only in the reference").isEmpty();
    }

    /** The rows of {@code a} (a multiset) that {@code b} lacks; at most 20, so that a failure stays readable. */
    private static List<String> difference(List<String> a, List<String> b) {
        List<String> rest = new ArrayList<>(b);
        List<String> missing = new ArrayList<>();
        for (String row : a) {
            if (!rest.remove(row) && missing.size() < 20) {
                missing.add(row);
            }
        }
        return missing;
    }
}
