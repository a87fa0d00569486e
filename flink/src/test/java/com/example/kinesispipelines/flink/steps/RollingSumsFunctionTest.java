package com.example.kinesispipelines.flink.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** RollingSumsFunction alone, in Flink's keyed operator test harness (heap and RocksDB backends, snapshots and restores). */

class RollingSumsFunctionTest {
    private static final long RANGE = 10_000;

    /** An input: key, time, value (NULL when null); or, with key NULL, a watermark at time. */
    private static final class Event {
        final String key;
        final long time;
        final Double value;

        Event(String key, long time, Double value) {
            this.key = key;
            this.time = time;
            this.value = value;
        }
    }

    private static Event row(String key, long time, Double value) {
        return new Event(key, time, value);
    }

    private static Event watermark(long time) {
        return new Event(null, time, null);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness() throws Exception {
        return harness(false);
    }

    /** The function in a keyed operator harness, on the heap backend or (rocksDb) on RocksDB. */
    private static KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness(boolean rocksDb)
            throws Exception {
        return harness(rocksDb, null);
    }

    /** The function of ROLLING_SUMS, or with a rule that of ROLLING_ANOMALIES, in the harness. */
    private static KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness(boolean rocksDb,
            AnomalyRule rule) throws Exception {
        InternalTypeInfo<RowData> type = InternalTypeInfo.ofFields(
                new VarCharType(VarCharType.MAX_LENGTH), new LocalZonedTimestampType(3), new DoubleType());
        KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new RollingSumsFunction(type, 1, 3, new int[] {2}, RANGE, rule)),
                row -> row.getString(0).toString(), Types.STRING);
        // The output rows' serializer, with which the harness copies each row it collects (the function reuses its
        // output row, as the job's operators do with object reuse on).
        h.setup((rule == null ? InternalTypeInfo.ofFields(new VarCharType(VarCharType.MAX_LENGTH), new LocalZonedTimestampType(3),
                new DoubleType(), new BigIntType(false), new DoubleType(), new DoubleType())
                : InternalTypeInfo.ofFields(new VarCharType(VarCharType.MAX_LENGTH), new LocalZonedTimestampType(3),
                new DoubleType(), new VarCharType(VarCharType.MAX_LENGTH), new DoubleType(), new DoubleType(),
                new DoubleType(), new DoubleType(), new BigIntType())).toRowSerializer());
        if (rocksDb) {
            // Loaded by its configuration name, as the job's runtime does: the class moved package in Flink 2.0.
            Configuration config = new Configuration();
            config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            StateBackend backend = StateBackendLoader.loadStateBackendFromConfig(config,
                    RollingSumsFunctionTest.class.getClassLoader(), LoggerFactory.getLogger(RollingSumsFunctionTest.class));
            assertThat(backend.getClass().getSimpleName()).isEqualTo("EmbeddedRocksDBStateBackend");
            h.setStateBackend(backend);
        }
        return h;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h, List<Event> events)
            throws Exception {
        for (Event e : events) {
            if (e.key == null) {
                h.processWatermark(e.time);
            } else {
                h.processElement(GenericRowData.of(StringData.fromString(e.key), TimestampData.fromEpochMillis(e.time),
                        e.value), e.time);
            }
        }
    }

    private static List<String> output(KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h) {
        List<String> rows = new ArrayList<>();
        for (RowData r : h.extractOutputValues()) {
            rows.add(r.getString(0) + "@" + r.getTimestamp(1, 3).getMillisecond() + " n=" + r.getLong(3)
                    + " sum=" + (r.isNullAt(4) ? "null" : r.getDouble(4)) + " sq=" + (r.isNullAt(5) ? "null" : r.getDouble(5)));
        }
        return rows;
    }

    /** Two devices, peers, a NULL reading, an out-of-order and a late row, and a quiet spell that clears a key. */
    private static List<Event> events() {
        List<Event> events = new ArrayList<>();
        events.add(row("c", 5_000, 1.0));
        for (int i = 0; i < 30; i++) {
            long t = 1_000L * i;
            events.add(row("a", t + 1, 20.0 + (i % 3) * 0.1));
            if (i % 4 == 0) {
                events.add(row("a", t + 1, 25.0)); // a peer: same key, same time
            }
            if (i % 5 != 0) {
                events.add(row("b", t + 2, i % 7 == 0 ? null : 100.0 + i));
            }
            events.add(watermark(t - 2_000));
        }
        events.add(row("c", 26_500, 2.0));  // behind the watermark, but after c's last fired time: kept
        events.add(row("b", 20_002, 99.0)); // before b's last fired time: dropped
        events.add(watermark(50_000));
        events.add(row("a", 60_000, 1.0));  // after more than 1.5 ranges of quiet: a's state was cleared
        events.add(watermark(80_000));
        return events;
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {false, true})
    void givesTheSameRowsWhenRestoredFromASnapshotMidStream(boolean rocksDb) throws Exception {
        List<Event> events = events();
        List<String> uninterrupted = run(rocksDb, null, null, events);
        for (int cut : new int[] {17, 45, events.size() - 3}) {
            List<String> restored = new ArrayList<>();
            OperatorSubtaskState snapshot = runAndSnapshot(rocksDb, null, events.subList(0, cut), restored);
            restored.addAll(run(rocksDb, null, snapshot, events.subList(cut, events.size())));
            assertThat(restored).as("cut after " + cut + " events").containsExactlyElementsOf(uninterrupted);
        }
        assertThat(uninterrupted).anyMatch(r -> r.startsWith("c@26500 "));
        assertThat(uninterrupted).noneMatch(r -> r.startsWith("b@20002 "));
        assertThat(uninterrupted).contains("a@60000 n=1 sum=1.0 sq=1.0");
    }

    private static List<String> anomalies(KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h) {
        List<String> rows = new ArrayList<>();
        for (RowData r : h.extractOutputValues()) {
            rows.add(r.getString(0) + "@" + r.getTimestamp(1, 3).getMillisecond() + " " + r.getString(3) + "="
                    + r.getDouble(4) + " mean=" + r.getDouble(5) + " std=" + r.getDouble(6) + " z=" + r.getDouble(7)
                    + " n=" + r.getLong(8));
        }
        return rows;
    }

    /**
     * ROLLING_ANOMALIES: the same frames as ROLLING_SUMS (peers, late rows, a cleared key), but a row comes out only
     * where its reading is an anomaly against the frame without it, with its score; restored from snapshots taken
     * mid-stream, the same rows.
     */
    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {false, true})
    void emitsOnlyTheAnomaliesWithTheirScoresAndRestores(boolean rocksDb) throws Exception {
        AnomalyRule rule = new AnomalyRule("1.5", 3, new String[] {"v"});
        List<Event> events = new ArrayList<>(events());
        // k: 1, 3, 1, 3 (mean 2, deviation 1), then 3.5 (exactly 1.5 deviations: not one), then 10 with a peer at 2
        // (against 1, 3, 1, 3, 3.5 and its peer 2: n = 6)
        double[] readings = {1, 3, 1, 3, 3.5};
        for (int i = 0; i < readings.length; i++) {
            events.add(row("k", 100_000 + 10 * i, readings[i]));
        }
        events.add(row("k", 100_100, 10.0));
        events.add(row("k", 100_100, 2.0));
        events.add(watermark(200_000));
        List<String> uninterrupted = run(rocksDb, rule, null, events);
        double[] scored = new double[3];
        assertThat(rule.score(10.0, 7, 23.5, 1 + 9 + 1 + 9 + 12.25 + 100 + 4, scored)).isTrue();
        assertThat(uninterrupted).contains("k@100100 v=10.0 mean=" + scored[0] + " std=" + scored[1] + " z=" + scored[2]
                + " n=6");
        assertThat(uninterrupted).as("3.5 is 1.5 deviations away, not more").noneMatch(r -> r.contains("v=3.5 "));
        // Every row of ROLLING_SUMS scored by the rule: the same anomalies, in the same order.
        List<String> fromSums = new ArrayList<>();
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h = harness(rocksDb, null)) {
            h.open();
            feed(h, events);
            for (RowData r : h.extractOutputValues()) {
                if (!r.isNullAt(2) && rule.score(r.getDouble(2), r.getLong(3), r.getDouble(4), r.getDouble(5), scored)) {
                    fromSums.add(r.getString(0) + "@" + r.getTimestamp(1, 3).getMillisecond() + " v=" + r.getDouble(2)
                            + " mean=" + scored[0] + " std=" + scored[1] + " z=" + scored[2] + " n=" + (r.getLong(3) - 1));
                }
            }
        }
        assertThat(uninterrupted).containsExactlyElementsOf(fromSums);
        for (int cut : new int[] {17, 45, events.size() - 4}) {
            List<String> restored = new ArrayList<>();
            OperatorSubtaskState snapshot = runAndSnapshot(rocksDb, rule, events.subList(0, cut), restored);
            int beforeCut = restored.size();
            restored.addAll(run(rocksDb, rule, snapshot, events.subList(cut, events.size())));
            assertThat(restored).as("cut after " + cut + " events").containsExactlyElementsOf(uninterrupted);
            // A snapshot of ROLLING_SUMS's function (the same state and timers) restores into ROLLING_ANOMALIES's.
            OperatorSubtaskState sums = runAndSnapshot(rocksDb, null, events.subList(0, cut), new ArrayList<>());
            List<String> fromSumsSnapshot = new ArrayList<>(restored.subList(0, beforeCut));
            fromSumsSnapshot.addAll(run(rocksDb, rule, sums, events.subList(cut, events.size())));
            assertThat(fromSumsSnapshot).as("from ROLLING_SUMS's snapshot after " + cut + " events")
                    .containsExactlyElementsOf(uninterrupted);
        }
    }

    /**
     * What a fresh function (ROLLING_SUMS's, or with a rule ROLLING_ANOMALIES's), restored from the snapshot unless it is
     * null, emits for the events: {@link #output} or {@link #anomalies}.
     */
    private static List<String> run(boolean rocksDb, AnomalyRule rule, OperatorSubtaskState snapshot,
            List<Event> events) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h = harness(rocksDb, rule)) {
            if (snapshot != null) {
                h.initializeState(snapshot);
            }
            h.open();
            feed(h, events);
            return rule == null ? output(h) : anomalies(h);
        }
    }

    /** Feeds a fresh function the events, adds what it emits to {@code out}, and returns its snapshot after them. */
    private static OperatorSubtaskState runAndSnapshot(boolean rocksDb, AnomalyRule rule, List<Event> events,
            List<String> out) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h = harness(rocksDb, rule)) {
            h.open();
            feed(h, events);
            out.addAll(rule == null ? output(h) : anomalies(h));
            return h.snapshot(1, 0);
        }
    }

    @Test
    void countsEveryPeerInTheFrameAndDropsRowsAtOrBeforeTheLastFiredTime() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h = harness()) {
            h.open();
            feed(h, List.of(row("k", 1_000, 1.0), row("k", 1_000, 3.0), watermark(1_000), row("k", 1_000, 5.0),
                    row("k", 11_000, 2.0), row("k", 11_001, 4.0), watermark(20_000)));
            assertThat(output(h)).containsExactly(
                    "k@1000 n=2 sum=4.0 sq=10.0", "k@1000 n=2 sum=4.0 sq=10.0", // peers see each other
                    "k@11000 n=3 sum=6.0 sq=14.0",                               // 1,000 is exactly RANGE before: in
                    "k@11001 n=2 sum=6.0 sq=20.0");                              // 1 ms later: out
            assertThat(h.getOutput().stream().filter(o -> o instanceof org.apache.flink.streaming.runtime.streamrecord.StreamRecord)
                    .count()).isEqualTo(4); // the third row at 1,000 came after that time fired: dropped
        }
    }

    /**
     * A snapshot taken while rows of several times wait for the watermark and fired times fill the frame (the key's
     * one state value holds both): restored, it gives the rows the uninterrupted run gives.
     */
    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {false, true})
    void restoresRowsWaitingForTheWatermarkAndTimesInTheFrame(boolean rocksDb) throws Exception {
        List<Event> before = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            before.add(row("k", 1_000L * i, 1.0 + i));
            before.add(row("j", 1_000L * i + 500, i % 2 == 0 ? null : 2.0 * i));
        }
        // 1,000 ... 6,000 fired and in the frame (k at 0 is late: at the initial last time), 6,500 ... 11,500 waiting
        before.add(watermark(6_000));
        List<Event> after = List.of(row("k", 7_000, 50.0), row("k", 9_000, 60.0), row("j", 8_500, 3.0),
                watermark(14_000), row("k", 30_000, 1.0), watermark(40_000));
        List<Event> all = new ArrayList<>(before);
        all.addAll(after);
        List<String> uninterrupted = run(rocksDb, null, null, all);
        List<String> restored = new ArrayList<>();
        OperatorSubtaskState snapshot = runAndSnapshot(rocksDb, null, before, restored);
        assertThat(restored).as("rows out before the snapshot").hasSize(12);
        restored.addAll(run(rocksDb, null, snapshot, after));
        assertThat(restored).containsExactlyElementsOf(uninterrupted);
        // 7,000 and 9,000 of k are peers of rows that waited in the snapshot; 8,500 of j fires between them
        assertThat(uninterrupted).contains("k@7000 n=8 sum=85.0 sq=2703.0", "k@9000 n=11 sum=164.0 sq=6484.0");
    }

    /** Per key, one timer at its first waiting row's time and one at its first cleanup time, however many rows wait. */
    @Test
    void keepsTwoTimersPerKeyWhateverTheRowsWaiting() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h = harness()) {
            h.open();
            for (int i = 1; i <= 20; i++) {
                feed(h, List.of(row("a", 100L * i, 1.0), row("b", 100L * i + 1, 2.0)));
            }
            assertThat(h.numEventTimeTimers()).as("timers of a and b").isEqualTo(4);
            feed(h, List.of(watermark(1_000)));
            assertThat(output(h)).as("a up to 1,000, b up to 901").hasSize(19);
            assertThat(h.numEventTimeTimers()).isEqualTo(4);
            feed(h, List.of(watermark(3_000)));
            assertThat(output(h)).hasSize(40);
            assertThat(h.numEventTimeTimers()).as("the cleanup timers").isEqualTo(2);
            feed(h, List.of(watermark(100_000)));
            assertThat(h.numEventTimeTimers()).as("all cleared").isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    /** With object reuse on, the caller hands over one row object again and again: the rows kept waiting are copies. */
    @Test
    void copiesTheRowsItKeepsWaitingForTheWatermark() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> h = harness()) {
            h.open();
            GenericRowData reused = new GenericRowData(3);
            for (int i = 1; i <= 3; i++) {
                reused.setField(0, StringData.fromString("k"));
                reused.setField(1, TimestampData.fromEpochMillis(1_000L * i));
                reused.setField(2, 10.0 * i);
                h.processElement(reused, 1_000L * i);
            }
            reused.setField(0, StringData.fromString("overwritten"));
            reused.setField(2, -1.0);
            h.processWatermark(5_000);
            assertThat(output(h)).containsExactly("k@1000 n=1 sum=10.0 sq=100.0", "k@2000 n=2 sum=30.0 sq=500.0",
                    "k@3000 n=3 sum=60.0 sq=1400.0");
        }
    }
}
