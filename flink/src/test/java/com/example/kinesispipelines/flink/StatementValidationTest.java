package com.example.kinesispipelines.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, filling and validating statements: every error names the statement (0-based index and key or line). */
class StatementValidationTest {
    private static final String SOURCE = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";
    private static final String CONSUMER = SOURCE + "/consumer/flink-clicks:1700000000";
    private static final String SINK = "arn:aws:kinesis:eu-west-1:123456789012:stream/results";

    private static final String DATAGEN = "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')";
    private static final String BLACKHOLE = "CREATE TABLE snk (id BIGINT) WITH ('connector' = 'blackhole')";

    private static Map<String, Properties> keys(String... statements) {
        Properties sql = new Properties();
        for (int i = 0; i < statements.length; i++) {
            sql.setProperty(String.format("statement.%03d", i), statements[i]);
        }
        return Map.of(JobProperties.SQL_STATEMENTS_GROUP, sql);
    }

    private static Map<String, Properties> groups(Map<String, String> sql, Map<String, String> parameters) {
        Properties s = new Properties();
        s.putAll(sql);
        Properties p = new Properties();
        p.putAll(parameters);
        return Map.of(JobProperties.SQL_STATEMENTS_GROUP, s, JobProperties.SQL_PARAMETERS_GROUP, p);
    }

    private static TableEnvironment tEnv() {
        return TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    }

    @Test
    void runsKeysInIndexOrderAndJoinsContinuationParts() {
        String select = "INSERT INTO snk SELECT id FROM src WHERE '" + "x".repeat(5000) + "' <> ''";
        Map<String, String> sql = new HashMap<>();
        sql.put("statement.000", DATAGEN);
        sql.put("statement.001", BLACKHOLE);
        sql.put("statement.002", select.substring(0, 2048));
        sql.put("statement.002.part.1", select.substring(2048, 4096));
        sql.put("statement.002.part.2", select.substring(4096));

        List<SqlStatement> statements = KinesisSqlJob.resolve(groups(sql, Map.of()));

        assertThat(statements).extracting(SqlStatement::text).containsExactly(DATAGEN, BLACKHOLE, select);
        assertThat(statements.get(2).origin()).isEqualTo("key statement.002");
        assertThat(SqlJobRunner.prepare(tEnv(), statements)).isNotNull();
    }

    @Test
    void throwsWhenStatementKeysAreNotContiguous() {
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("statement.000", DATAGEN, "statement.002", BLACKHOLE), Map.of())))
                .isInstanceOf(JobConfigurationException.class)
                .hasMessage("statement.001 is missing: statement keys must be contiguous from statement.000, found statement.002");
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("statement.000", DATAGEN, "statement.000.part.2", "x"), Map.of())))
                .hasMessageContaining("statement.000.part.1 is missing");
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("statement.000", DATAGEN, "statement.001.part.1", "x"), Map.of())))
                .hasMessage("statement.001.part.1 continues statement.001, which is missing");
    }

    @Test
    void throwsWhenTheGroupBreaksTheServiceLimitsOrMixesForms() {
        assertThatThrownBy(() -> StatementLoader.load(Map.of()))
                .hasMessageStartingWith("property group SqlStatements is missing or empty");
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("statement.000", "x".repeat(2049)), Map.of())))
                .hasMessageStartingWith("property statement.000 holds 2049 characters, at most 2048");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 51; i++) {
            many.put(String.format("statement.%03d", i), DATAGEN);
        }
        assertThatThrownBy(() -> StatementLoader.load(groups(many, Map.of())))
                .hasMessageStartingWith("property group SqlStatements has 51 entries, at most 50");
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("statement.000", DATAGEN, "sql.resource", "x"), Map.of())))
                .hasMessageContaining("exactly one of statement.NNN keys, sql.s3.uri, sql.resource; got 2 of them");
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("statement.000", DATAGEN, "statment.001", "x"), Map.of())))
                .hasMessageContaining("unknown key 'statment.001'");
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("sql.resource", "sql/nope.sql"), Map.of())))
                .hasMessageStartingWith("sql.resource 'sql/nope.sql' is not in the job jar");
    }

    @Test
    void throwsWhenAKeyHoldsTwoStatementsOrNone() {
        assertThatThrownBy(() -> StatementLoader.load(keys(DATAGEN, BLACKHOLE + "; SELECT 1")))
                .isInstanceOf(SqlStatementException.class)
                .hasMessage("statement 1 (key statement.001): holds 2 statements separated by ';': give each its own key");
        assertThatThrownBy(() -> StatementLoader.load(keys(DATAGEN, "  -- nothing\n")))
                .hasMessage("statement 1 (key statement.001): is empty");
    }

    @Test
    void namesTheStatementThatDoesNotParse() {
        SqlStatementException e = org.junit.jupiter.api.Assertions.assertThrows(SqlStatementException.class,
                () -> SqlJobRunner.prepare(tEnv(), KinesisSqlJob.resolve(keys(DATAGEN, BLACKHOLE, "INSERT INTO snk SELEC id FROM src"))));
        assertThat(e.statementIndex()).isEqualTo(2);
        assertThat(e).hasMessageStartingWith("statement 2 (key statement.002): does not parse: SQL parse failed.");
    }

    @Test
    void namesTheStatementThatCannotBePlanned() {
        assertThatThrownBy(() -> SqlJobRunner.prepare(tEnv(), KinesisSqlJob.resolve(keys(DATAGEN, BLACKHOLE, "INSERT INTO snk SELECT nope FROM src"))))
                .isInstanceOf(SqlStatementException.class)
                .hasMessageStartingWith("statement 2 (key statement.002): does not parse:")
                .hasMessageContaining("Column 'nope' not found");
        String badOption = "CREATE TABLE snk (id BIGINT) WITH ('connector' = 'blackhole', 'no-such-option' = '1')";
        assertThatThrownBy(() -> SqlJobRunner.prepare(tEnv(), KinesisSqlJob.resolve(keys(DATAGEN, badOption, "INSERT INTO snk SELECT id FROM src"))))
                .hasMessageStartingWith("statement 2 (key statement.002): cannot be planned:")
                .hasMessageContaining("no-such-option");
    }

    @Test
    void rejectsQueriesWithoutASinkAndJobsWithoutAnInsert() {
        assertThatThrownBy(() -> SqlJobRunner.prepare(tEnv(), KinesisSqlJob.resolve(keys(DATAGEN, "SELECT id FROM src"))))
                .hasMessage("statement 1 (key statement.001): is a query without a sink: write its rows with INSERT INTO <table> SELECT ...");
        assertThatThrownBy(() -> SqlJobRunner.prepare(tEnv(), KinesisSqlJob.resolve(keys(DATAGEN, BLACKHOLE))))
                .isInstanceOf(JobConfigurationException.class)
                .hasMessage("the 2 statements hold no INSERT INTO: the job would write nothing");
    }

    @Test
    void fillsPlaceholdersWithValuesDefaultsAndDerivedNames() {
        Map<String, String> params = Placeholders.withDerived(Map.of(
                "source.stream.arn", SOURCE, "source.efo.consumer.arn", CONSUMER, "sink.stream.arn", SINK, "top.n", "3"));
        Placeholders placeholders = new Placeholders(params);
        String text = "${source.stream.name} ${aws.region} ${source.efo.consumer.name} ${top.n:-10} ${k:-2.5} "
                + "${dlq.stream.name:-${sink.stream.name}} $${literal} $x";

        String filled = placeholders.resolve(new SqlStatement(0, text, "key statement.000")).text();

        assertThat(filled).isEqualTo("clicks eu-west-1 flink-clicks 3 2.5 results ${literal} $x");
        assertThatThrownBy(() -> placeholders.resolve(new SqlStatement(4, "x = '${missing.key}'", "key statement.004")))
                .isInstanceOf(SqlStatementException.class)
                .hasMessage("statement 4 (key statement.004): placeholder ${missing.key} has no value: set key 'missing.key' in property group SqlParameters");
        assertThatThrownBy(() -> Placeholders.withDerived(Map.of("sink.stream.arn", "results")))
                .hasMessageStartingWith("parameter sink.stream.arn must be a Kinesis stream ARN");
    }

    @Test
    void splitsScriptsOutsideQuotesAndCommentsAndKeepsHints() {
        String script = "-- header; with a semicolon\nSET 'a' = 'x;y';\n\n/* block; */ SELECT 'it''s; fine' AS `c;d`\n"
                + "FROM t /*+ OPTIONS('k'='v') */;\n  -- trailing comment only\n";
        List<SqlScript.Piece> pieces = SqlScript.split(script);
        assertThat(pieces).extracting(p -> p.text).containsExactly(
                "SET 'a' = 'x;y'", "SELECT 'it''s; fine' AS `c;d`\nFROM t /*+ OPTIONS('k'='v') */");
        assertThat(pieces).extracting(p -> p.line).containsExactly(2, 4);
    }

    @Test
    void readsAScriptFromAFileSystemUriAndNamesItsLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.sql");
        Files.writeString(file, DATAGEN + ";\n" + BLACKHOLE + ";\n\nINSERT INTO snk SELEC id FROM src;\n", StandardCharsets.UTF_8);
        Map<String, Properties> g = groups(Map.of("sql.s3.uri", file.toUri().toString()), Map.of());
        assertThatThrownBy(() -> SqlJobRunner.prepare(tEnv(), KinesisSqlJob.resolve(g)))
                .hasMessageStartingWith("statement 2 (" + file.toUri() + " line 4): does not parse");
        assertThatThrownBy(() -> StatementLoader.load(groups(Map.of("sql.s3.uri", dir.resolve("missing.sql").toUri().toString()), Map.of())))
                .hasMessageStartingWith("cannot read sql.s3.uri");
    }

    /** The shipped scripts, with their real Kinesis tables (EFO source, KinesisStreamsSink), plan without AWS. */
    @Test
    void shippedScriptsValidateWithTheKinesisConnector() {
        for (String script : List.of(JobProperties.IOT_ANOMALIES_SQL, JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL)) {
            Map<String, Properties> g = groups(Map.of("sql.resource", script), Map.of(
                    "source.stream.arn", SOURCE, "source.efo.consumer.arn", CONSUMER, "sink.stream.arn", SINK));
            List<SqlStatement> statements = KinesisSqlJob.resolve(g);
            String source = statements.stream().map(SqlStatement::text).filter(t -> t.contains("'scan.stream.recordpublisher'"))
                    .findFirst().orElseThrow();
            assertThat(source).contains("'stream' = 'clicks'", "'aws.region' = 'eu-west-1'",
                    "'scan.stream.recordpublisher' = 'EFO'", "'scan.stream.efo.registration' = 'NONE'",
                    "'scan.stream.efo.consumername' = 'flink-clicks'",
                    "'scan.stream.efo.consumerarn.clicks' = '" + CONSUMER + "'");
            String plan = KinesisSqlJob.prepare(tEnv(), g).explain();
            assertThat(plan).contains("Sink(table=[default_catalog.default_database.");
        }
    }

    /**
     * The interval parameters take three digits (an interval literal's default leading precision is two: 100 s of
     * watermark delay failed the job at start): 999 s of watermark delay, a 720-minute top-N window sliding every
     * 120 minutes, a 120-minute statistics window.
     */
    @Test
    void shippedScriptsPlanWithIntervalParametersOfMoreThanTwoDigits() {
        for (String script : List.of(JobProperties.IOT_ANOMALIES_SQL, JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL)) {
            Map<String, String> params = new HashMap<>(Map.of("source.stream.arn", SOURCE, "source.efo.consumer.arn", CONSUMER,
                    "sink.stream.arn", SINK, "watermark.delay.seconds", "999", "top.window.minutes", "720",
                    "top.slide.minutes", "120", "stats.window.minutes", "120"));
            String plan = KinesisSqlJob.prepare(tEnv(), groups(Map.of("sql.resource", script), params)).explain();
            assertThat(plan).contains("999000:INTERVAL SECOND");
        }
    }

    /** A statement may write to Firehose ('connector' = 'firehose', KinesisFirehoseSink) instead of a stream. */
    @Test
    void plansAFirehoseSink() {
        String firehose = "CREATE TABLE fh (id BIGINT) WITH ('connector' = 'firehose', 'delivery-stream' = '${archive.delivery.stream.name}', "
                + "'aws.region' = 'eu-west-1', 'format' = 'json')";
        Map<String, Properties> g = groups(Map.of("statement.000", DATAGEN, "statement.001", firehose,
                "statement.002", "INSERT INTO fh SELECT id FROM src"), Map.of("archive.delivery.stream.name", "archive"));
        assertThat(KinesisSqlJob.prepare(tEnv(), g).explain()).contains("Sink(table=[default_catalog.default_database.fh]");
    }

    @Test
    void throwsNamingTheStatementWhenTheConsumerArnIsMissing() {
        Map<String, Properties> g = groups(Map.of("sql.resource", JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL),
                Map.of("source.stream.arn", SOURCE, "sink.stream.arn", SINK));
        assertThatThrownBy(() -> KinesisSqlJob.resolve(g))
                .isInstanceOf(SqlStatementException.class)
                .hasMessageStartingWith("statement 5 (sql/clickstream-top-products.sql line 27): placeholder ${source.efo.consumer.name} has no value");
    }

    @Test
    void mainReadsALocalPropertiesFileAndValidatesOnly(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("application_properties.json");
        Files.writeString(json, "[{\"PropertyGroupId\": \"SqlStatements\", \"PropertyMap\": {\"sql.resource\": \"sql/iot-anomalies.sql\"}},"
                + "{\"PropertyGroupId\": \"SqlParameters\", \"PropertyMap\": {\"source.stream.arn\": \"" + SOURCE + "\","
                + "\"source.efo.consumer.arn\": \"" + CONSUMER + "\", \"sink.stream.arn\": \"" + SINK + "\"}}]");
        Map<String, Properties> loaded = KinesisSqlJob.loadGroups(json.toString());
        assertThat(loaded.get("SqlStatements").getProperty("sql.resource")).isEqualTo("sql/iot-anomalies.sql");
        KinesisSqlJob.main(new String[] {"--properties", json.toString(), "--validate-only"});
        assertThatThrownBy(() -> KinesisSqlJob.main(new String[] {"--properties", dir.resolve("nope.json").toString()}))
                .hasMessageStartingWith("cannot read the properties file");
        assertThatThrownBy(() -> KinesisSqlJob.main(new String[] {"--bogus"})).hasMessageStartingWith("unknown argument '--bogus'");
        // The example file in flink/ (the README's local run) validates too.
        KinesisSqlJob.main(new String[] {"--properties", "application_properties.example.json", "--validate-only"});
    }

    @SuppressWarnings("unused")
    private static String join(List<SqlStatement> statements) {
        return statements.stream().map(SqlStatement::text).collect(Collectors.joining(";\n"));
    }
}
