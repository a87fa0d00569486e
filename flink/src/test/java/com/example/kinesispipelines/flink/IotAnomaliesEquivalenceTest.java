package com.example.kinesispipelines.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.kinesispipelines.flink.testing.CollectSinkFactory;
import com.example.kinesispipelines.flink.testing.LinesSourceFactory;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sql/iot-anomalies.sql (the sensor-reading format and the ROLLING_SUMS step) against the script they replaced
 * (reference/iot-anomalies-text-over-window.sql: the payload as raw text, JSON_FIELDS, JSON_EVENT_TIME and an OVER
 * window), on the same records: every anomaly, machine minute and dead letter must be the same, to the last bit.
 * The records are generated with a fixed seed and hold what the two could disagree on: readings at the same time
 * (peers of the RANGE frame), out-of-order and late ones, devices quiet for longer than 1.5 windows (their state is
 * cleared), readings as numbers, strings of digits, "hot", integers and -0, and every kind of malformed record. One
 * source subtask (parallelism 1) so that rows and watermarks reach each operator in the same order in both runs, and
 * so every late row is the same.
 *
 * <p>The reference runs on RocksDB, the state backend of Managed Flink: where several times leave the frame at once,
 * Flink's OVER window subtracts them in the order its map state iterates, which is time order on RocksDB (and
 * ROLLING_SUMS's on any backend) but hash-map order on the heap backend, where the last bits of a sum, amplified by
 * the variance formula, can differ (1.5e-9 relative in one z-score of this data). The shipped script runs on the heap
 * backend, so that the test also shows its results do not depend on the backend.
 */
class IotAnomaliesEquivalenceTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String REFERENCE_SQL = "reference/iot-anomalies-text-over-window.sql";
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

    /**
     * Records where the anomaly rule is on its edges, for the test's sigma 1.5 and min samples 3, a day after the
     * generated ones: a reading after exactly 3 readings and after 2, after readings of one value (standard deviation
     * exactly 0), exactly 1.5 standard deviations from the mean on either side (1, 3, 1, 3: mean 2, deviation 1; 3.5
     * and 0.5 are not anomalies, 3.5000000000000004 is), peers (readings at one time), a device's single reading,
     * readings without the metric, and an infinite reading (its sums turn NaN).
     */
    static List<String> edgeCases() {
        Map<String, double[]> devices = new java.util.LinkedHashMap<>();
        devices.put("e-min", new double[] {1, 3, 1, 10});
        devices.put("e-below-min", new double[] {1, 3, 10});
        devices.put("e-std0", new double[] {20, 20, 20, 20, 20, 25, 20, 20});
        devices.put("e-above", new double[] {1, 3, 1, 3, 3.5});
        devices.put("e-below", new double[] {1, 3, 1, 3, 0.5});
        devices.put("e-over", new double[] {1, 3, 1, 3, 3.5000000000000004});
        devices.put("e-single", new double[] {50});
        devices.put("e-inf", new double[] {1, 3, 1, 3, Double.POSITIVE_INFINITY, 2, 9});
        List<String> lines = new ArrayList<>();
        long t = T0 + 86_400_000L;
        for (Map.Entry<String, double[]> device : devices.entrySet()) {
            for (double temperature : device.getValue()) {
                t += 1_000;
                lines.add("{\"deviceId\":\"" + device.getKey() + "\",\"machineId\":\"m9\",\"ts\":" + t
                        + ",\"temperature\":" + (Double.isInfinite(temperature) ? "1e400" : Double.toString(temperature))
                        + ",\"pressure\":" + (100 + temperature) + "}");
            }
        }
        // Peers: three readings of one device at one time, the first two equal, after 1, 3, 1, 3; and readings
        // without temperature between readings with it.
        for (String reading : List.of("1", "3", "1", "3")) {
            t += 1_000;
            lines.add("{\"deviceId\":\"e-peers\",\"machineId\":\"m9\",\"ts\":" + t + ",\"temperature\":" + reading + "}");
            lines.add("{\"deviceId\":\"e-peers\",\"machineId\":\"m9\",\"ts\":" + (t + 1) + ",\"vibration\":0.5}");
        }
        t += 1_000;
        for (String reading : List.of("10", "10", "2.5")) {
            lines.add("{\"deviceId\":\"e-peers\",\"machineId\":\"m9\",\"ts\":" + t + ",\"temperature\":" + reading
                    + ",\"vibration\":9}");
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
            Map<String, String> parameters, String stateBackend) throws Exception {
        return run(name, script, lines, parameters, SqlFixtures.orderedTableEnv(stateBackend));
    }

    private static Map<String, List<Row>> run(String name, String script, List<String> lines,
            Map<String, String> parameters, TableEnvironment tEnv) throws Exception {
        String data = LinesSourceFactory.register(name, lines);
        List<SqlStatement> statements = SqlFixtures.withConnectors(SqlFixtures.script(script), Map.of(
                "iot_raw", SqlFixtures.lines(data),
                "iot_anomalies", SqlFixtures.collect(name + "-anomalies"),
                "iot_machine_minutes", SqlFixtures.collect(name + "-minutes"),
                "iot_dead_letters", SqlFixtures.collect(name + "-dlq")));
        KinesisSqlJob.prepare(tEnv, SqlFixtures.groups(statements, parameters)).execute().await(3, TimeUnit.MINUTES);
        return Map.of(
                "anomalies", CollectSinkFactory.rows(name + "-anomalies"),
                "minutes", CollectSinkFactory.rows(name + "-minutes"),
                "dlq", CollectSinkFactory.rows(name + "-dlq"));
    }

    private static List<String> sorted(List<Row> rows) {
        return rows.stream().map(Row::toString).sorted().collect(Collectors.toList());
    }

    /** Both tests' parameters: a one-minute window and a low bar, so that the edge cases decide. */
    private static final Map<String, String> PARAMETERS = Map.of("stats.window.minutes", "1",
            "anomaly.min.samples", "3", "anomaly.sigma", "1.5");

    /** {@link #records} followed by the {@link #edgeCases}. */
    private static List<String> withEdgeCases(long seed, int count) {
        List<String> lines = new ArrayList<>(records(seed, count));
        lines.addAll(edgeCases());
        return lines;
    }

    @Test
    void producesTheRowsOfTheTextAndOverWindowScript() throws Exception {
        List<String> lines = withEdgeCases(13, 4000);
        Map<String, List<Row>> expected = run("eq-reference", REFERENCE_SQL, lines, PARAMETERS, "rocksdb");
        Map<String, List<Row>> shipped = run("eq-shipped", JobProperties.IOT_ANOMALIES_SQL, lines, PARAMETERS, "hashmap");

        assertThat(expected.get("anomalies")).hasSizeGreaterThan(100);
        assertThat(expected.get("dlq")).hasSizeGreaterThan(30);
        long readings = expected.get("minutes").stream().mapToLong(row -> (Long) row.getField(4)).sum();
        long valid = lines.size() - expected.get("dlq").size();
        assertThat(readings).as("some readings are late and dropped").isLessThan(valid);
        List<Object> edgeAnomalies = expected.get("anomalies").stream().map(row -> row.getField(1))
                .filter(device -> ((String) device).startsWith("e-")).distinct().collect(Collectors.toList());
        assertThat(edgeAnomalies).as("devices of the edge cases with anomalies").contains("e-min")
                .doesNotContain("e-below-min", "e-std0", "e-above", "e-below", "e-single");
        for (String output : List.of("dlq", "minutes", "anomalies")) {
            sameRows(output, shipped.get(output), expected.get(output));
        }
    }

    /**
     * Without the DataStream bridge (a plain TableEnvironment), the step is planned as the SQL that defines it: the
     * same rows as the reference, on RocksDB (where both subtract the times that leave the frame in time order).
     */
    @Test
    void plansTheSameRowsWithoutTheDataStreamBridge() throws Exception {
        List<String> lines = withEdgeCases(17, 1500);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ZERO); // as SqlFixtures.orderedTableEnv
        TableEnvironment plain = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode()
                .withConfiguration(conf).build());
        Map<String, List<Row>> expected = run("plain-reference", REFERENCE_SQL, lines, PARAMETERS, "rocksdb");
        Map<String, List<Row>> shipped = run("plain-shipped", JobProperties.IOT_ANOMALIES_SQL, lines, PARAMETERS, plain);
        assertThat(expected.get("anomalies")).hasSizeGreaterThan(20);
        for (String output : List.of("dlq", "minutes", "anomalies")) {
            sameRows(output, shipped.get(output), expected.get(output));
        }
    }

    private static void sameRows(String what, List<Row> actual, List<Row> expected) {
        List<String> a = sorted(actual);
        List<String> e = sorted(expected);
        assertThat(difference(a, e) + " / " + difference(e, a)).as(what + ": only in the new script / only in the reference")
                .isEqualTo("[] / []");
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
