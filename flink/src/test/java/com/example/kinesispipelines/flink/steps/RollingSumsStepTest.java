package com.example.kinesispipelines.flink.steps;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.kinesispipelines.flink.SqlStatement;
import com.example.kinesispipelines.flink.SqlStatementException;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A ROLLING_SUMS statement the job cannot run fails at planning, naming what is wrong and the value it got. */
class RollingSumsStepTest {
    private TableEnvironment tEnv;

    @BeforeEach
    void readings() {
        tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql("CREATE TABLE r (device_id STRING, n BIGINT, v DOUBLE, v_sum DOUBLE, ts TIMESTAMP(3), "
                + "WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')");
        tEnv.executeSql("CREATE TABLE c (device_id STRING, v DOUBLE, ts TIMESTAMP(3), w AS v * 2, "
                + "WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')");
    }

    private void failsWith(String step, String message) {
        SqlStatement statement = new SqlStatement(1, "CREATE TEMPORARY VIEW s AS SELECT * FROM TABLE(" + step + ")", "test");
        assertThatThrownBy(() -> RollingSums.apply(tEnv, statement))
                .isInstanceOf(SqlStatementException.class)
                .hasMessageContaining(message);
    }

    @Test
    void refusesWhatItCannotSum() {
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '0' MINUTE, DESCRIPTOR(v))",
                "ROLLING_SUMS needs an interval of at least 1 MINUTE, got 0");
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(n), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(v))",
                "ROLLING_SUMS key n must be a STRING column, got BIGINT");
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(v), INTERVAL '1' MINUTE, DESCRIPTOR(v))",
                "ROLLING_SUMS time v must be the rowtime attribute of r");
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(n))",
                "ROLLING_SUMS column n must be DOUBLE, got BIGINT");
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(v))",
                "ROLLING_SUMS adds column v_sum, which r already has");
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(x))",
                "ROLLING_SUMS column x is not a column of r (columns: device_id, n, v, v_sum, ts)");
        failsWith("ROLLING_SUMS(TABLE nope, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(v))",
                "ROLLING_SUMS reads table nope, which does not exist");
        failsWith("ROLLING_SUMS(TABLE c, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(v))",
                "ROLLING_SUMS reads physical columns only; c has computed or metadata column w");
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(device_id), INTERVAL '1' MINUTE, DESCRIPTOR(v))",
                "uses ROLLING_SUMS, a step of this job, which must be written CREATE TEMPORARY VIEW");
    }
}
