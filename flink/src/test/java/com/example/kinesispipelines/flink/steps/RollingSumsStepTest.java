package com.example.kinesispipelines.flink.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.kinesispipelines.flink.SqlStatement;
import com.example.kinesispipelines.flink.SqlStatementException;
import java.util.stream.Collectors;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.catalog.ResolvedSchema;
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
        failsWith("ROLLING_SUMS(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(v), 3.0, 5)",
                "uses ROLLING_SUMS, a step of this job, which must be written CREATE TEMPORARY VIEW");
    }

    private static final String ANOMALIES = "ROLLING_ANOMALIES(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(ts), "
            + "INTERVAL '1' MINUTE, DESCRIPTOR(v), ";

    @Test
    void refusesAnAnomalyRuleItCannotApply() {
        failsWith(ANOMALIES + "0, 5)", "ROLLING_ANOMALIES sigma (its 6th argument) must be a positive number such as 3 "
                + "or 2.5 (at most 38 digits), got '0'");
        failsWith(ANOMALIES + "-3.0, 5)", "ROLLING_ANOMALIES sigma (its 6th argument) must be a positive number such as 3 "
                + "or 2.5 (at most 38 digits), got '-3.0'");
        failsWith(ANOMALIES + "three, 5)", "sigma (its 6th argument) must be a positive number such as 3 or 2.5 "
                + "(at most 38 digits), got 'three'");
        failsWith(ANOMALIES + ", 5)", "sigma (its 6th argument) must be a positive number such as 3 or 2.5 "
                + "(at most 38 digits), got ''");
        failsWith(ANOMALIES + "3.0, 0)", "ROLLING_ANOMALIES min samples (its 7th argument) must be an integer from 1 to "
                + "2147483647, got '0'");
        failsWith(ANOMALIES + "3.0, 2.5)", "min samples (its 7th argument) must be an integer from 1 to 2147483647, got '2.5'");
        failsWith(ANOMALIES + "3.0, 99999999999)", "min samples (its 7th argument) must be an integer from 1 to 2147483647, "
                + "got '99999999999'");
        failsWith("ROLLING_ANOMALIES(TABLE r, DESCRIPTOR(device_id), DESCRIPTOR(ts), INTERVAL '1' MINUTE, DESCRIPTOR(v))",
                "uses ROLLING_ANOMALIES, a step of this job, which must be written CREATE TEMPORARY VIEW <name> AS SELECT * "
                + "FROM TABLE(ROLLING_ANOMALIES(TABLE <input>, DESCRIPTOR(<key>), DESCRIPTOR(<rowtime>), INTERVAL '<n>' "
                + "SECOND|MINUTE|HOUR|DAY[(<precision>)], DESCRIPTOR(<column>, ...), <sigma>, <min samples>))");
        failsWith(ANOMALIES.replace("DESCRIPTOR(v)", "DESCRIPTOR(n)") + "3.0, 5)",
                "ROLLING_ANOMALIES column n must be DOUBLE, got BIGINT");
        tEnv.executeSql("CREATE TABLE scored (device_id STRING, v DOUBLE, z_score DOUBLE, ts TIMESTAMP(3), "
                + "WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')");
        failsWith(ANOMALIES.replace("TABLE r", "TABLE scored") + "3.0, 5)",
                "ROLLING_ANOMALIES adds column z_score, which scored already has");
    }

    /** In a plain TableEnvironment (no DataStream bridge) the step is planned as SQL, with the view's columns. */
    @Test
    void plansTheAnomaliesAsSqlWithoutTheDataStreamBridge() {
        RollingSums.apply(tEnv, new SqlStatement(1, "CREATE TEMPORARY VIEW s AS SELECT * FROM TABLE(" + ANOMALIES
                + "2.5, 3))", "test"));
        ResolvedSchema schema = tEnv.from("s").getResolvedSchema();
        assertThat(schema.getColumnNames()).containsExactly("device_id", "n", "v",
                "v_sum", "ts", "metric", "reading", "window_mean", "window_stddev", "z_score", "window_samples");
        assertThat(schema.getColumnDataTypes().subList(5, 11)).as("as in the job's stream")
                .isEqualTo(AnomalyRule.fields().stream().map(DataTypes.Field::getDataType).collect(Collectors.toList()));
        assertThat(tEnv.explainSql("SELECT * FROM s")).contains("OverAggregate");
    }
}
