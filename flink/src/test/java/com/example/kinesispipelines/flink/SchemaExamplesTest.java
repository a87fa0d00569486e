package com.example.kinesispipelines.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.kinesispipelines.flink.testing.CollectSinkFactory;
import com.example.kinesispipelines.flink.testing.LinesSourceFactory;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one definition of each event (schemas/, at the repository's root) against the real jobs on a MiniCluster: every
 * line of a {@code *.valid.jsonl} example is accepted (counted in the results, no dead letter), every line of a
 * {@code *.invalid.jsonl} example goes whole to the dead letters and nowhere else.
 */
class SchemaExamplesTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final Path EXAMPLES = Path.of("..", "schemas", "examples");

    private static List<String> examples(String file) throws IOException {
        List<String> lines = Files.readAllLines(EXAMPLES.resolve(file)).stream()
                .filter(line -> !line.isBlank()).collect(Collectors.toList());
        assertThat(lines).as(file).isNotEmpty();
        return lines;
    }

    private static final Pattern TIME = Pattern.compile("\"(?:timestamp|ts)\":(?:(\\d+)|\"([^\"]+)\")");

    /**
     * The lines in event-time order: the examples' times are hours apart, and a valid event must not be dropped as
     * late (which is not a dead letter, but no acceptance either).
     */
    private static List<String> inEventTimeOrder(List<String> lines) {
        return lines.stream().sorted(Comparator.comparingLong(line -> {
            Matcher time = TIME.matcher(line);
            assertThat(time.find()).as(line).isTrue();
            return time.group(1) != null ? Long.parseLong(time.group(1))
                    : OffsetDateTime.parse(time.group(2)).toInstant().toEpochMilli();
        })).collect(Collectors.toList());
    }

    private static Map<String, List<Row>> clickstream(String name, List<String> lines) throws Exception {
        String data = LinesSourceFactory.register(name, lines);
        List<SqlStatement> statements = SqlFixtures.withConnectors(
                SqlFixtures.script(JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL), Map.of(
                        "clicks_raw", SqlFixtures.lines(data),
                        "top_products", SqlFixtures.collect(name + "-top"),
                        "traffic_minutes", SqlFixtures.collect(name + "-traffic"),
                        "click_dead_letters", SqlFixtures.collect(name + "-dlq")));
        SqlFixtures.run(SqlFixtures.tableEnv(2), SqlFixtures.groups(statements, Map.of()));
        return Map.of(
                "top", CollectSinkFactory.rows(name + "-top"),
                "traffic", CollectSinkFactory.rows(name + "-traffic"),
                "dlq", CollectSinkFactory.rows(name + "-dlq"));
    }

    private static Map<String, List<Row>> iot(String name, List<String> lines) throws Exception {
        String data = LinesSourceFactory.register(name, lines);
        List<SqlStatement> statements = SqlFixtures.withConnectors(
                SqlFixtures.script(JobProperties.IOT_ANOMALIES_SQL), Map.of(
                        "iot_raw", SqlFixtures.lines(data),
                        "iot_anomalies", SqlFixtures.collect(name + "-anomalies"),
                        "iot_machine_minutes", SqlFixtures.collect(name + "-minutes"),
                        "iot_dead_letters", SqlFixtures.collect(name + "-dlq")));
        SqlFixtures.run(SqlFixtures.tableEnv(2), SqlFixtures.groups(statements, Map.of()));
        return Map.of(
                "anomalies", CollectSinkFactory.rows(name + "-anomalies"),
                "minutes", CollectSinkFactory.rows(name + "-minutes"),
                "dlq", CollectSinkFactory.rows(name + "-dlq"));
    }

    private static List<Object> payloads(List<Row> deadLetters) {
        return deadLetters.stream().map(row -> row.getField(3)).collect(Collectors.toList());
    }

    private static long sum(List<Row> rows, int field) {
        return rows.stream().mapToLong(row -> (Long) row.getField(field)).sum();
    }

    @Test
    void acceptsEveryValidClickEvent() throws Exception {
        List<String> valid = examples("click-event.valid.jsonl");
        Map<String, List<Row>> out = clickstream("schema-click-valid", inEventTimeOrder(valid));
        assertThat(out.get("dlq")).isEmpty();
        assertThat(sum(out.get("traffic"), 3)).as("events counted").isEqualTo(valid.size());
    }

    @Test
    void deadLettersEveryInvalidClickEventWhole() throws Exception {
        List<String> invalid = examples("click-event.invalid.jsonl");
        Map<String, List<Row>> out = clickstream("schema-click-invalid", invalid);
        assertThat(payloads(out.get("dlq"))).containsExactlyInAnyOrderElementsOf(invalid);
        assertThat(out.get("traffic")).isEmpty();
        assertThat(out.get("top")).isEmpty();
    }

    @Test
    void acceptsEveryValidSensorReading() throws Exception {
        List<String> valid = examples("sensor-reading.valid.jsonl");
        Map<String, List<Row>> out = iot("schema-sensor-valid", inEventTimeOrder(valid));
        assertThat(out.get("dlq")).isEmpty();
        assertThat(sum(out.get("minutes"), 4)).as("readings counted").isEqualTo(valid.size());
    }

    @Test
    void deadLettersEveryInvalidSensorReadingWhole() throws Exception {
        List<String> invalid = examples("sensor-reading.invalid.jsonl");
        Map<String, List<Row>> out = iot("schema-sensor-invalid", invalid);
        assertThat(payloads(out.get("dlq"))).containsExactlyInAnyOrderElementsOf(invalid);
        assertThat(out.get("minutes")).isEmpty();
        assertThat(out.get("anomalies")).isEmpty();
    }
}
