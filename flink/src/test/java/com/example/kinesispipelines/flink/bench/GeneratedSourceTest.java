package com.example.kinesispipelines.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bench's generator: a fixed warm-up, and a warm-up that lasts until the JIT is quiet, followed by steady records
 * in steps until each subtask has emitted its share and the steady state has lasted its least time (the source asks for
 * a subtask's count again each time it is reached).
 */
class GeneratedSourceTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void warmupUntilJitQuietEndsAtAStepAfterTheMinimumOnceTheJitIsQuietThenGivesTheShare() {
        String run = UUID.randomUUID().toString();
        GeneratedSourceFactory.Generated generated = new GeneratedSourceFactory.Generated("iot", 1_001, run, 1_500, true);
        GeneratedSourceFactory.Marks marks = GeneratedSourceFactory.marks(run);

        assertThat(generated.count(0, 2)).isEqualTo(1_000);
        emit(generated, 0, 0, 999);
        assertThat(generated.count(0, 2)).as("below the minimum warm-up").isEqualTo(2_000);
        emit(generated, 0, 1_000, 1_999);
        assertThat(marks.warmOffset).as("the JIT is not quiet yet").isEmpty();
        assertThat(generated.count(0, 2)).isEqualTo(3_000);
        marks.jitQuiet = true;
        emit(generated, 0, 2_000, 2_998);
        assertThat(marks.warmOffset).as("only at the last record of a step").isEmpty();
        emit(generated, 0, 2_999, 2_999);
        assertThat(marks.warmOffset).containsExactly(Map.entry(0, 2_999L));
        assertThat(generated.count(0, 2)).as("a step of steady records").isEqualTo(4_000);
        assertThat(generated.count(0, 2)).as("its share of 1,001 (501) is out, but not the least time").isEqualTo(5_000);
        marks.steadyLongEnough = true;
        assertThat(generated.count(0, 2)).as("no more: the subtask ends").isEqualTo(5_000);

        // The other subtask ends its warm-up at its first step boundary past the minimum, quiet or not, and then emits
        // at least its share, time or not.
        marks.jitQuiet = false;
        assertThat(generated.count(1, 2)).isEqualTo(1_000);
        emit(generated, 1, 0, 999);
        assertThat(generated.count(1, 2)).isEqualTo(2_000);
        emit(generated, 1, 1_000, 1_999);
        assertThat(marks.warmOffset).containsEntry(1, 1_999L);
        assertThat(generated.count(1, 2)).isEqualTo(3_000);
        assertThat(generated.count(1, 2)).isEqualTo(3_000);
        assertThat(marks.given).containsOnly(Map.entry(0, 5_000L), Map.entry(1, 3_000L));
        assertThat(marks.first).containsOnlyKeys(0, 1);
        assertThat(marks.warm).containsOnlyKeys(0, 1);
    }

    @Test
    void fixedWarmupEndsAtTheWarmupRecordAndCountsAreTheShare() {
        String run = UUID.randomUUID().toString();
        GeneratedSourceFactory.Generated generated = new GeneratedSourceFactory.Generated("iot", 1_001, run, 100, false);
        assertThat(generated.count(0, 2)).isEqualTo(501);
        assertThat(generated.count(1, 2)).isEqualTo(500);
        emit(generated, 0, 0, 98);
        assertThat(GeneratedSourceFactory.marks(run).warmOffset).isEmpty();
        emit(generated, 0, 99, 200);
        assertThat(GeneratedSourceFactory.marks(run).warmOffset).containsExactly(Map.entry(0, 99L));
    }

    @Test
    void aJobReadsTheWarmupAndThenExactlyTheSteadyRecords() throws Exception {
        String run = UUID.randomUUID().toString();
        GeneratedSourceFactory.marks(run).jitQuiet = true;
        GeneratedSourceFactory.marks(run).steadyLongEnough = true;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.executeSql("CREATE TABLE gen (line STRING) WITH ('connector' = 'bench-gen', 'kind' = 'iot',"
                + " 'records' = '1001', 'run-id' = '" + run + "', 'warmup' = '600', 'until-jit-quiet' = 'true')");
        long rows = 0;
        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT line FROM gen").collect()) {
            while (it.hasNext()) {
                it.next();
                rows++;
            }
        }
        Map<Integer, Long> warmEnds = GeneratedSourceFactory.marks(run).warmOffset;
        assertThat(warmEnds).as("the first step boundary past 600 records per subtask")
                .containsOnly(Map.entry(0, 999L), Map.entry(1, 999L));
        assertThat(GeneratedSourceFactory.marks(run).given).as("a step of steady records each, at least the share")
                .containsOnly(Map.entry(0, 2_000L), Map.entry(1, 2_000L));
        assertThat(rows).isEqualTo(4_000);
    }

    private static void emit(GeneratedSourceFactory.Generated generated, int subtask, long from, long to) {
        for (long offset = from; offset <= to; offset++) {
            generated.emitted(subtask, 2, offset);
        }
    }
}
