package com.example.kinesispipelines.flink;

import static com.example.kinesispipelines.flink.testing.SqlFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.kinesispipelines.flink.testing.CollectSinkFactory;
import com.example.kinesispipelines.flink.testing.LinesSourceFactory;
import com.example.kinesispipelines.flink.testing.SqlFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** sql/clickstream-top-products.sql on a MiniCluster (parallelism 2), Kinesis tables swapped for test connectors. */
class ClickstreamSqlTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final LocalDateTime T0 = LocalDateTime.of(2024, 1, 1, 0, 0);

    private static final java.util.concurrent.atomic.AtomicLong EVENT_IDS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A click of schemas/click-event.schema.json: session null leaves sessionId out; a visitor starting with "a-" is
     * an anonymousId, any other a userId.
     */
    static String click(String type, String product, String session, String visitor, Duration offset) {
        return click(type, product, session, visitor, String.valueOf(at(offset)));
    }

    static String click(String type, String product, String session, String visitor, String timestamp) {
        return "{\"eventId\":\"e-" + EVENT_IDS.incrementAndGet() + "\""
                + (session == null ? "" : ",\"sessionId\":\"" + session + "\"")
                + (visitor.startsWith("a-") ? ",\"anonymousId\":\"" : ",\"userId\":\"") + visitor + "\""
                + ",\"eventType\":\"" + type + "\"" + (product == null ? "" : ",\"productId\":\"" + product + "\"")
                + ",\"timestamp\":" + timestamp + "}";
    }

    static String view(String product, Duration offset) {
        return click("product_view", product, "s1", "u1", offset);
    }

    private static Map<String, List<Row>> run(String name, List<String> lines, Map<String, String> parameters) throws Exception {
        String data = LinesSourceFactory.register(name, lines);
        List<SqlStatement> statements = SqlFixtures.withConnectors(
                SqlFixtures.script(JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL), Map.of(
                        "clicks_raw", SqlFixtures.lines(data),
                        "top_products", SqlFixtures.collect(name + "-top"),
                        "traffic_minutes", SqlFixtures.collect(name + "-traffic"),
                        "click_dead_letters", SqlFixtures.collect(name + "-dlq")));
        SqlFixtures.run(SqlFixtures.tableEnv(2), SqlFixtures.groups(statements, parameters));
        return Map.of(
                "top", CollectSinkFactory.rows(name + "-top"),
                "traffic", CollectSinkFactory.rows(name + "-traffic"),
                "dlq", CollectSinkFactory.rows(name + "-dlq"));
    }

    private static Row top(int windowEndMinute, long rank, String product, long views) {
        return Row.of("top_products", T0.plusMinutes(windowEndMinute - 5), T0.plusMinutes(windowEndMinute), rank, product, views);
    }

    private static List<String> sorted(List<Row> rows) {
        return rows.stream().map(Row::toString).sorted().collect(Collectors.toList());
    }

    @Test
    void ranksTheTopNProductsOfEachSlidingWindowWithTiesBrokenByProductId() throws Exception {
        List<String> lines = List.of(
                view("p-a", Duration.ofSeconds(10)),
                view("p-b", Duration.ofSeconds(20)),
                view("p-c", Duration.ofSeconds(30)),
                view("p-c", Duration.ofSeconds(40)),
                view("p-b", Duration.ofSeconds(50)),
                click("add_to_cart", "p-a", "s1", "u1", Duration.ofSeconds(55)), // not a view
                view("p-a", Duration.ofMillis(299_999)),  // last millisecond of the window [00:00, 00:05)
                view("p-a", Duration.ofMinutes(5)));      // first of [00:01, 00:06) ... [00:05, 00:10)

        List<Row> top = run("click-top", lines, Map.of("top.n", "2")).get("top");

        List<Row> expected = new ArrayList<>();
        for (int end = 1; end <= 4; end++) {       // windows holding minute 0 only: b and c tie at 2, a has 1
            expected.add(top(end, 1, "p-b", 2));
            expected.add(top(end, 2, "p-c", 2));
        }
        expected.add(top(5, 1, "p-a", 2));          // [00:00, 00:05): a, b and c all at 2 -> a, b
        expected.add(top(5, 2, "p-b", 2));
        for (int end = 6; end <= 9; end++) {       // [00:01, 00:06) ... [00:04, 00:09): a twice
            expected.add(top(end, 1, "p-a", 2));
        }
        expected.add(top(10, 1, "p-a", 1));         // [00:05, 00:10): a once
        assertThat(sorted(top)).containsExactlyElementsOf(sorted(expected));
    }

    @Test
    void countsTrafficPerMinuteWithExactBoundariesAndDropsLateEvents() throws Exception {
        List<String> lines = List.of(
                click("page_view", null, "s1", "u1", Duration.ofSeconds(1)),
                click("product_view", "p-a", "s1", "u1", Duration.ofSeconds(2)),
                click("product_view", "p-b", null, "a-9", Duration.ofSeconds(3)),     // session a:a-9, user a:a-9
                click("add_to_cart", "p-a", "s1", "u1", "\"2024-01-01T01:00:04+01:00\""), // 00:00:04Z
                click("page_view", null, null, "u1", Duration.ofSeconds(5)),          // session u:u1, user u:u1
                click("purchase", "p-a", "s1", "u1", "\"2024-01-01T00:00:59.999Z\""),
                click("page_view", null, "s3", "u3", Duration.ofSeconds(60)),
                click("page_view", null, "s3", "u3", Duration.ofSeconds(70)), // watermark 65 s closes minute 0
                click("purchase", "p-b", "s2", "u2", Duration.ofSeconds(30)),  // late: dropped
                click("page_view", null, "s4", "a-4", Duration.ofSeconds(66)));

        List<Row> traffic = run("click-traffic", lines, Map.of()).get("traffic");

        assertThat(sorted(traffic)).containsExactly(
                Row.of("traffic_minute", T0, T0.plusMinutes(1), 6L, 2L, 2L, 1L, 1L, 3L, 2L).toString(),
                Row.of("traffic_minute", T0.plusMinutes(1), T0.plusMinutes(2), 3L, 3L, 0L, 0L, 0L, 2L, 2L).toString());
    }

    @Test
    void routesClicksTheSchemaRejectsToTheDeadLetterTable() throws Exception {
        String t = String.valueOf(at(Duration.ofSeconds(1)));
        List<String> bad = List.of(
                "{oops",
                "{\"eventId\":\"e-1\",\"userId\":\"u1\",\"timestamp\":" + t + "}",
                "{\"eventId\":\"e-2\",\"userId\":\"u1\",\"eventType\":\"" + "x".repeat(65) + "\",\"timestamp\":" + t + "}",
                "{\"userId\":\"u1\",\"eventType\":\"page_view\",\"timestamp\":" + t + "}",
                "{\"eventId\":\"e-3\",\"sessionId\":\"s1\",\"eventType\":\"page_view\",\"timestamp\":" + t + "}",
                "{\"eventId\":\"e-4\",\"userId\":\"u1\",\"eventType\":\"page_view\",\"timestamp\":-5}",
                "{\"eventId\":\"e-5\",\"userId\":\"u1\",\"eventType\":\"page_view\",\"ts\":" + t + "}",
                "{\"eventId\":\"e-6\",\"userId\":\"u1\",\"eventType\":\"page_view\",\"timestamp\":\"" + t + "\"}",
                "{\"eventId\":\"e-7\",\"userId\":\"u1\",\"eventType\":\"page_view\",\"timestamp\":\"2024-01-01T00:00:01\"}",
                "{\"eventId\":\"e-8\",\"userId\":\"u1\",\"eventType\":\"page_view\",\"timestamp\":4102444800000}",
                click("product_view", null, "s1", "u1", Duration.ofSeconds(1)),
                "{\"eventId\":\"e-9\",\"userId\":\"" + "u".repeat(257) + "\",\"eventType\":\"page_view\",\"timestamp\":" + t + "}",
                "{\"eventId\":\"e-10\",\"userId\":\"u1\",\"sessionId\":7,\"eventType\":\"page_view\",\"timestamp\":" + t + "}");
        List<String> lines = new ArrayList<>(bad);
        lines.add(view("p-a", Duration.ofSeconds(2)));

        Map<String, List<Row>> out = run("click-dlq", lines, Map.of());

        String timestamp = "timestamp missing, or neither epoch milliseconds (an integer >= 946684800000) nor an ISO 8601"
                + " date-time with a zone";
        assertThat(out.get("dlq").stream().map(r -> r.getField(2) + " <- " + r.getField(3)).collect(Collectors.toList()))
                .containsExactlyInAnyOrder(
                        "not a JSON object <- " + bad.get(0),
                        "eventType missing or not a string of 1-64 characters <- " + bad.get(1),
                        "eventType missing or not a string of 1-64 characters <- " + bad.get(2),
                        "eventId missing or not a string of 1-256 characters <- " + bad.get(3),
                        "userId or anonymousId required <- " + bad.get(4),
                        timestamp + " <- " + bad.get(5),
                        timestamp + " <- " + bad.get(6),
                        timestamp + " <- " + bad.get(7),
                        timestamp + " <- " + bad.get(8),
                        "timestamp more than 300 s ahead of the clock <- " + bad.get(9),
                        "productId required on a product_view <- " + bad.get(10),
                        "userId not a string of 1-256 characters <- " + bad.get(11),
                        "sessionId not a string of 1-256 characters <- " + bad.get(12));
        assertThat(out.get("traffic")).hasSize(1);
        assertThat(out.get("top")).hasSize(5); // p-a, in the five windows holding 00:00:02
    }

    /** Fields the schema does not declare, the ingestion API's _ingest among them, are ignored whatever they hold. */
    @Test
    void ignoresFieldsTheSchemaDoesNotDeclare() throws Exception {
        String t = String.valueOf(at(Duration.ofSeconds(1)));
        List<String> lines = List.of(
                "{\"_ingest\":{\"requestId\":\"r-1\",\"receivedAt\":1},\"eventId\":\"e-1\",\"userId\":\"u1\","
                        + "\"eventType\":\"product_view\",\"productId\":\"p-a\",\"cart\":[1,{\"x\":null}],\"timestamp\":" + t + "}",
                view("p-a", Duration.ofSeconds(2)));

        Map<String, List<Row>> out = run("click-extra", lines, Map.of());

        assertThat(out.get("dlq")).isEmpty();
        assertThat(out.get("top")).hasSize(5).allSatisfy(row -> assertThat(row.getField(5)).isEqualTo(2L));
    }

    /**
     * A failure injected mid-stream, after a completed checkpoint: the job restarts from it and the exactly-once
     * filesystem sink holds every window result once, the same as a run without failure.
     */
    @Test
    void restoresFromACheckpointAfterAFailureWithoutDuplicateOrMissingWindowResults(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 600; i++) {            // 30 minutes, one event every 3 s, 7 products
            Duration t = Duration.ofSeconds(3L * i);
            lines.add(i % 5 == 0 ? click("page_view", null, "s" + (i % 11), "u" + (i % 13), t)
                    : view("p-" + (i * 7 % 7 + i % 7), t));
        }
        Map<String, List<String>> clean = runExactlyOnce("eo-clean", lines, -1, dir.resolve("clean"));
        Map<String, List<String>> failed = runExactlyOnce("eo-failed", lines, 100, dir.resolve("failed"));

        assertThat(LinesSourceFactory.failures("eo-failed")).isEqualTo(1);
        // Not from scratch: the restored checkpoint covers the 100 lines of the subtask that failed (the other subtask's
        // position in that checkpoint depends on how far it had got, so only this subtask's part is certain).
        assertThat(LinesSourceFactory.restoredLines("eo-failed")).isGreaterThanOrEqualTo(100);
        assertThat(LinesSourceFactory.failures("eo-clean")).isZero();
        assertThat(clean.get("traffic")).hasSize(30);
        assertThat(clean.get("top")).hasSize(34 * 3); // 34 five-minute windows touch the 30 minutes, top 3 each
        assertThat(failed.get("traffic")).containsExactlyElementsOf(clean.get("traffic"));
        assertThat(failed.get("top")).containsExactlyElementsOf(clean.get("top"));
    }

    private static Map<String, List<String>> runExactlyOnce(String name, List<String> lines, int failAfter, Path out) throws Exception {
        LinesSourceFactory.register(name, lines);
        String fs = "'connector' = 'filesystem', 'format' = 'json', 'path' = '";
        List<SqlStatement> statements = SqlFixtures.withConnectors(
                SqlFixtures.script(JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL), Map.of(
                        "clicks_raw", "'connector' = 'test-lines', 'data-id' = '" + name + "', 'mode' = 'round-robin', "
                                + "'fail-after' = '" + failAfter + "'",
                        "top_products", fs + out.resolve("top").toUri() + "'",
                        "traffic_minutes", fs + out.resolve("traffic").toUri() + "'",
                        "click_dead_letters", fs + out.resolve("dlq").toUri() + "'"));
        SqlFixtures.run(SqlFixtures.checkpointingTableEnv(2, 100), SqlFixtures.groups(statements, Map.of("top.n", "3")));
        Map<String, List<String>> rows = new HashMap<>();
        rows.put("top", committedLines(out.resolve("top")));
        rows.put("traffic", committedLines(out.resolve("traffic")));
        return rows;
    }

    /** Lines of the committed files (in-progress and pending files are hidden: their names start with a dot). */
    private static List<String> committedLines(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                if (file.getFileName().toString().startsWith(".")) {
                    continue;
                }
                String partition = dir.relativize(file.getParent()).toString(); // product_id=p-1 for top_products
                for (String line : Files.readAllLines(file)) {
                    lines.add(partition + " " + line);
                }
            }
        }
        lines.sort(null);
        return lines;
    }
}
