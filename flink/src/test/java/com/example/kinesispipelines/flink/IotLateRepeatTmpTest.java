package com.example.kinesispipelines.flink;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TEMP: repeats the late-event tests. */
class IotLateRepeatTmpTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @Test
    void repeat() throws Exception {
        int n = Integer.getInteger("h13i.repeat", 5);
        int failed = 0;
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            try {
                new IotAnomaliesSqlTest().dropsEventsBehindTheWatermarkAndKeepsOutOfOrderOnesWithinTheDelay();
                System.out.println("H13I run " + i + " ok " + (System.nanoTime() - t) / 1_000_000 + " ms");
            } catch (AssertionError e) {
                failed++;
                System.out.println("H13I run " + i + " FAILED " + e.getMessage().replace('\n', ' '));
            }
        }
        System.out.println("H13I failed " + failed + " of " + n);
        if (failed > 0) {
            throw new AssertionError(failed + " of " + n + " failed");
        }
    }
}
