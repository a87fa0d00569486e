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

    static String click(String type, String product, String session, String user, Duration offset) {
        return "{\"eventId\":\"e\",\"sessionId\":\"" + session + "\"" + (user == null ? "" : ",\"userId\":\"" + user + "\"")
                + ",\"eventType\":\"" + type + "\"" + (product == null ? "" : ",\"productId\":\"" + product + "\"")
                + ",\"ts\":" + at(offset) + "}";
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
                click("product_view", "p-b", "s2", null, Duration.ofSeconds(3)),
                click("add_to_cart", "p-a", "s1", "u1", Duration.ofSeconds(4)),
                click("purchase", "p-a", "s1", "u1", Duration.ofMillis(59_999)),
                click("page_view", null, "s3", "u3", Duration.ofSeconds(60)),
                click("page_view", null, "s3", "u3", Duration.ofSeconds(70)), // watermark 65 s closes minute 0
                click("purchase", "p-b", "s2", "u2", Duration.ofSeconds(30)),  // late: dropped
                click("page_view", null, "s4", "u4", Duration.ofSeconds(66)));

        List<Row> traffic = run("click-traffic", lines, Map.of()).get("traffic");

        assertThat(sorted(traffic)).containsExactly(
                Row.of("traffic_minute", T0, T0.plusMinutes(1), 5L, 1L, 2L, 1L, 1L, 2L, 1L).toString(),
                Row.of("traffic_minute", T0.plusMinutes(1), T0.plusMinutes(2), 3L, 3L, 0L, 0L, 0L, 2L, 2L).toString());
    }

    @Test
    void routesMalformedClicksToTheDeadLetterTable() throws Exception {
        List<String> bad = List.of(
                "{oops",
                "{\"sessionId\":\"s1\",\"ts\":" + at(Duration.ofSeconds(1)) + "}",
                "{\"eventType\":\"page_view\",\"ts\":" + at(Duration.ofSeconds(1)) + "}",
                "{\"eventType\":\"page_view\",\"sessionId\":\"s1\",\"ts\":-5}",
                click("product_view", null, "s1", "u1", Duration.ofSeconds(1)));
        List<String> lines = new ArrayList<>(bad);
        lines.add(view("p-a", Duration.ofSeconds(2)));

        Map<String, List<Row>> out = run("click-dlq", lines, Map.of());

        assertThat(out.get("dlq").stream().map(r -> r.getField(2) + " <- " + r.getField(3)).collect(Collectors.toList()))
                .containsExactlyInAnyOrder(
                        "not a JSON object <- " + bad.get(0),
                        "eventType missing or not 1-64 characters <- " + bad.get(1),
                        "sessionId missing or not 1-128 characters <- " + bad.get(2),
                        "ts missing, not epoch milliseconds, or more than 300 s ahead of the clock <- " + bad.get(3),
                        "productId missing or not 1-128 characters on a product_view <- " + bad.get(4));
        assertThat(out.get("traffic")).hasSize(1);
        assertThat(out.get("top")).hasSize(5); // p-a, in the five windows holding 00:00:02
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
