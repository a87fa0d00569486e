package com.example.kinesispipelines.flink;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: runs the Flink SQL statements named by the runtime properties (Managed Flink), or by a local JSON file
 * of the same shape: {@code java -jar kinesis-sql-job.jar --properties application_properties.json}.
 * Add {@code --validate-only} to check the statements and print the plan without running the job.
 */
public final class KinesisSqlJob {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisSqlJob.class);

    private KinesisSqlJob() {}

    public static void main(String[] args) throws Exception {
        String localFile = null;
        boolean validateOnly = false;
        for (int i = 0; i < args.length; i++) {
            if (JobProperties.LOCAL_PROPERTIES_FLAG.equals(args[i]) && i + 1 < args.length) {
                localFile = args[++i];
            } else if (JobProperties.VALIDATE_ONLY_FLAG.equals(args[i])) {
                validateOnly = true;
            } else {
                throw new JobConfigurationException("unknown argument '" + args[i] + "'; usage: ["
                        + JobProperties.LOCAL_PROPERTIES_FLAG + " <application_properties.json>] ["
                        + JobProperties.VALIDATE_ONLY_FLAG + "]");
            }
        }
        Map<String, Properties> groups = loadGroups(localFile);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        StatementSet set = prepare(tEnv, groups);
        if (validateOnly) {
            System.out.println(set.explain());
            return;
        }
        TableResult result = set.execute();
        if (localFile != null) {
            result.await(); // a local run lives as long as its job
        }
    }

    /** Reads, fills and validates the statements of {@code groups}, and returns the job's statement set. */
    public static StatementSet prepare(TableEnvironment tEnv, Map<String, Properties> groups) {
        LocalOverrides overrides = LocalOverrides.from(groups);
        List<SqlStatement> statements = resolve(groups);
        if (!overrides.isEmpty()) {
            LOG.warn("Property group {} overrides {} of every kinesis table (a local run; never set in the service)",
                    JobProperties.LOCAL_OVERRIDES_GROUP, overrides.keys());
        }
        LOG.info("Running {} SQL statements", statements.size());
        return SqlJobRunner.prepare(tEnv, statements, overrides);
    }

    /** The statements of {@code groups} with their placeholders filled from the SqlParameters group. */
    public static List<SqlStatement> resolve(Map<String, Properties> groups) {
        List<SqlStatement> raw = StatementLoader.load(groups);
        Placeholders placeholders = new Placeholders(Placeholders.withDerived(parameters(groups)));
        List<SqlStatement> resolved = new ArrayList<>(raw.size());
        for (SqlStatement statement : raw) {
            resolved.add(placeholders.resolve(statement));
        }
        Set<String> unused = new TreeSet<>(parameters(groups).keySet());
        unused.removeAll(placeholders.used());
        if (!unused.isEmpty()) {
            LOG.warn("Parameters of group {} that no statement uses: {}", JobProperties.SQL_PARAMETERS_GROUP, unused);
        }
        return resolved;
    }

    static Map<String, String> parameters(Map<String, Properties> groups) {
        Map<String, String> values = new HashMap<>();
        Properties group = groups.get(JobProperties.SQL_PARAMETERS_GROUP);
        if (group != null) {
            for (String key : group.stringPropertyNames()) {
                values.put(key, group.getProperty(key));
            }
        }
        return values;
    }

    /** Property groups of the Managed Flink runtime, or of a local JSON file of the same shape. */
    public static Map<String, Properties> loadGroups(String localFile) throws IOException {
        if (localFile != null) {
            if (!java.nio.file.Files.isReadable(java.nio.file.Paths.get(localFile))) {
                throw new JobConfigurationException("cannot read the properties file " + localFile);
            }
            LOG.info("Reading runtime properties from {}", localFile);
            return KinesisAnalyticsRuntime.getApplicationProperties(localFile);
        }
        return KinesisAnalyticsRuntime.getApplicationProperties();
    }
}
