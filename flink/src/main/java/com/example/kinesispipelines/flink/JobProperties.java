package com.example.kinesispipelines.flink;

import java.util.regex.Pattern;

/**
 * The runtime properties this job reads: the contract with the FlinkApplication construct (lib/flink/) and with a
 * local {@code application_properties.json} of the same shape. Every group id and key the job knows is here; the
 * README (flink/README.md) documents the same table.
 */
public final class JobProperties {
    private JobProperties() {}

    /** Largest value (and key) of one runtime property, in characters (API_PropertyGroup). */
    public static final int MAX_VALUE_LENGTH = 2048;

    /** Most entries in one property group (API_PropertyGroup). */
    public static final int MAX_ENTRIES_PER_GROUP = 50;

    /**
     * Group that says which SQL to run. Exactly one of: {@code statement.NNN} keys, {@link #SQL_S3_URI} or
     * {@link #SQL_RESOURCE}.
     */
    public static final String SQL_STATEMENTS_GROUP = "SqlStatements";

    /** Prefix of the statement keys: {@code statement.000}, {@code statement.001}, ... run in index order. */
    public static final String STATEMENT_KEY_PREFIX = "statement.";

    /** Infix of continuation keys: {@code statement.000.part.1}, {@code statement.000.part.2}, ... appended verbatim. */
    public static final String PART_KEY_INFIX = ".part.";

    /** {@code statement.NNN}: three digits, 000 to 999, contiguous from 000. */
    public static final Pattern STATEMENT_KEY = Pattern.compile("statement\\.(\\d{3})");

    /** {@code statement.NNN.part.K}: K from 1, contiguous. */
    public static final Pattern STATEMENT_PART_KEY = Pattern.compile("statement\\.(\\d{3})\\.part\\.([1-9]\\d*)");

    /**
     * A SQL script (statements separated by {@code ;}) in an object store, read through Flink's file systems:
     * {@code s3://bucket/key} in the service, {@code file:///path} locally.
     */
    public static final String SQL_S3_URI = "sql.s3.uri";

    /** One of the scripts bundled in this jar, by resource path: {@code sql/iot-anomalies.sql}. */
    public static final String SQL_RESOURCE = "sql.resource";

    /** The bundled IoT script. */
    public static final String IOT_ANOMALIES_SQL = "sql/iot-anomalies.sql";

    /** The bundled clickstream script. */
    public static final String CLICKSTREAM_TOP_PRODUCTS_SQL = "sql/clickstream-top-products.sql";

    /**
     * Group of placeholder values: key {@code source.stream.arn} fills {@code ${source.stream.arn}} in every
     * statement. {@code ${name:-default}} takes the default when the key is absent.
     */
    public static final String SQL_PARAMETERS_GROUP = "SqlParameters";

    /**
     * Name of a placeholder: {@code ${name}} or {@code ${name:-default}} (the default may hold placeholders itself);
     * {@code $${} stands for a literal {@code ${}.
     */
    public static final Pattern PLACEHOLDER_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Suffix of a parameter holding a Kinesis stream ARN; {@code <prefix>.stream.name} is derived from it. */
    public static final String STREAM_ARN_SUFFIX = ".stream.arn";

    /** Suffix of the derived stream name parameter. */
    public static final String STREAM_NAME_SUFFIX = ".stream.name";

    /** Parameter holding the source stream ARN; {@link #AWS_REGION} is derived from it when not given. */
    public static final String SOURCE_STREAM_ARN = "source.stream.arn";

    /** Parameter holding the region of the streams (derived from {@link #SOURCE_STREAM_ARN} when absent). */
    public static final String AWS_REGION = "aws.region";

    /** Parameter holding the ARN of the source stream's EFO consumer that the construct registers (SELF_MANAGED). */
    public static final String SOURCE_EFO_CONSUMER_ARN = "source.efo.consumer.arn";

    /** Parameter holding that consumer's name (derived from {@link #SOURCE_EFO_CONSUMER_ARN} when absent). */
    public static final String SOURCE_EFO_CONSUMER_NAME = "source.efo.consumer.name";

    /** Parameter holding the ARN of the stream the results go to. */
    public static final String SINK_STREAM_ARN = "sink.stream.arn";

    /** Parameter holding the ARN of the dead-letter stream (the shipped SQL defaults it to the sink stream). */
    public static final String DLQ_STREAM_ARN = "dlq.stream.arn";

    /**
     * Group of connector options for running the job outside the service (a local MiniCluster against an emulator):
     * each key replaces or adds that option of every table whose {@code connector} is {@code kinesis}, without touching
     * the SQL text. Keys: {@link #LOCAL_OVERRIDE_KEYS}. Absent in the service (the construct never sets it).
     */
    public static final String LOCAL_OVERRIDES_GROUP = "LocalOverrides";

    /** The keys {@link #LOCAL_OVERRIDES_GROUP} accepts: the Kinesis table options for endpoint, credentials and publisher. */
    public static final java.util.List<String> LOCAL_OVERRIDE_KEYS = java.util.List.of(
            "aws.endpoint",
            "aws.region",
            "aws.credentials.provider",
            "aws.credentials.basic.accesskeyid",
            "aws.credentials.basic.secretkey",
            "aws.trust.all.certificates",
            "scan.stream.recordpublisher",
            "sink.http-client.protocol.version");

    /** Connector value of the tables {@link #LOCAL_OVERRIDES_GROUP} applies to. */
    public static final String KINESIS_CONNECTOR = "kinesis";

    /** Record publisher option; when it ends up {@code POLLING}, the table's {@code scan.stream.efo.*} options are dropped. */
    public static final String RECORD_PUBLISHER = "scan.stream.recordpublisher";

    /** Prefix of the enhanced fan-out options, which a polling source does not take. */
    public static final String EFO_OPTION_PREFIX = "scan.stream.efo.";

    /** Command-line flag naming a local properties file: {@code --properties application_properties.json}. */
    public static final String LOCAL_PROPERTIES_FLAG = "--properties";

    /** Command-line flag that validates the statements and exits without submitting the job. */
    public static final String VALIDATE_ONLY_FLAG = "--validate-only";
}
