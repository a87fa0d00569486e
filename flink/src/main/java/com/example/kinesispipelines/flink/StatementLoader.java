package com.example.kinesispipelines.flink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Reads the statements named by the {@code SqlStatements} group (see {@link JobProperties}), without filling
 * placeholders. Key mode: {@code statement.000} ... with continuation parts; script modes: {@code sql.s3.uri} or
 * {@code sql.resource}, split at {@code ;}.
 */
public final class StatementLoader {
    private StatementLoader() {}

    public static List<SqlStatement> load(Map<String, Properties> groups) {
        Properties group = groups.get(JobProperties.SQL_STATEMENTS_GROUP);
        if (group == null || group.isEmpty()) {
            throw new JobConfigurationException("property group " + JobProperties.SQL_STATEMENTS_GROUP
                    + " is missing or empty: give statement.000, statement.001, ... or "
                    + JobProperties.SQL_S3_URI + " or " + JobProperties.SQL_RESOURCE);
        }
        if (group.size() > JobProperties.MAX_ENTRIES_PER_GROUP) {
            throw new JobConfigurationException("property group " + JobProperties.SQL_STATEMENTS_GROUP + " has "
                    + group.size() + " entries, at most " + JobProperties.MAX_ENTRIES_PER_GROUP
                    + " are allowed: ship longer SQL as " + JobProperties.SQL_S3_URI);
        }
        String s3Uri = group.getProperty(JobProperties.SQL_S3_URI);
        String resource = group.getProperty(JobProperties.SQL_RESOURCE);
        boolean hasKeys = group.stringPropertyNames().stream().anyMatch(k -> k.startsWith(JobProperties.STATEMENT_KEY_PREFIX));
        int modes = (s3Uri != null ? 1 : 0) + (resource != null ? 1 : 0) + (hasKeys ? 1 : 0);
        if (modes != 1) {
            throw new JobConfigurationException("property group " + JobProperties.SQL_STATEMENTS_GROUP
                    + " must hold exactly one of statement.NNN keys, " + JobProperties.SQL_S3_URI + ", "
                    + JobProperties.SQL_RESOURCE + "; got " + (modes == 0 ? "none of them" : modes + " of them"));
        }
        if (s3Uri != null) {
            rejectOtherKeys(group, JobProperties.SQL_S3_URI);
            return fromScript(readUri(s3Uri), s3Uri);
        }
        if (resource != null) {
            rejectOtherKeys(group, JobProperties.SQL_RESOURCE);
            return fromScript(readResource(resource), resource);
        }
        return fromKeys(group);
    }

    /** The statements of a script, each with its line as origin. */
    public static List<SqlStatement> fromScript(String script, String name) {
        List<SqlStatement> statements = new ArrayList<>();
        for (SqlScript.Piece piece : SqlScript.split(script)) {
            statements.add(new SqlStatement(statements.size(), piece.text, name + " line " + piece.line));
        }
        if (statements.isEmpty()) {
            throw new JobConfigurationException(name + " holds no SQL statement");
        }
        return statements;
    }

    /** A script bundled in the job jar, for example {@code sql/iot-anomalies.sql}. */
    public static String readResource(String resource) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        try (InputStream in = StatementLoader.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new JobConfigurationException(JobProperties.SQL_RESOURCE + " '" + resource
                        + "' is not in the job jar; bundled scripts: " + JobProperties.IOT_ANOMALIES_SQL + ", "
                        + JobProperties.CLICKSTREAM_TOP_PRODUCTS_SQL);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JobConfigurationException("cannot read " + JobProperties.SQL_RESOURCE + " '" + resource + "'", e);
        }
    }

    private static String readUri(String uri) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem();
            try (FSDataInputStream in = fs.open(path)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            throw new JobConfigurationException("cannot read " + JobProperties.SQL_S3_URI + " '" + uri + "': " + e.getMessage(), e);
        }
    }

    private static void rejectOtherKeys(Properties group, String only) {
        for (String key : group.stringPropertyNames()) {
            if (!key.equals(only)) {
                throw new JobConfigurationException("property group " + JobProperties.SQL_STATEMENTS_GROUP
                        + " has key '" + key + "' next to " + only + ", which must stand alone");
            }
        }
    }

    private static List<SqlStatement> fromKeys(Properties group) {
        TreeMap<Integer, String> heads = new TreeMap<>();
        TreeMap<Integer, TreeMap<Integer, String>> parts = new TreeMap<>();
        for (String key : group.stringPropertyNames()) {
            String value = group.getProperty(key);
            if (value.length() > JobProperties.MAX_VALUE_LENGTH) {
                throw new JobConfigurationException("property " + key + " holds " + value.length()
                        + " characters, at most " + JobProperties.MAX_VALUE_LENGTH
                        + " are allowed: continue it in " + key + ".part.1, " + key + ".part.2, ...");
            }
            Matcher head = JobProperties.STATEMENT_KEY.matcher(key);
            Matcher part = JobProperties.STATEMENT_PART_KEY.matcher(key);
            if (head.matches()) {
                heads.put(Integer.parseInt(head.group(1)), value);
            } else if (part.matches()) {
                parts.computeIfAbsent(Integer.parseInt(part.group(1)), k -> new TreeMap<>())
                        .put(Integer.parseInt(part.group(2)), value);
            } else {
                throw new JobConfigurationException("property group " + JobProperties.SQL_STATEMENTS_GROUP
                        + " has unknown key '" + key + "' (expected statement.NNN or statement.NNN.part.K)");
            }
        }
        int expected = 0;
        for (int index : heads.keySet()) {
            if (index != expected) {
                throw new JobConfigurationException(key(expected) + " is missing: statement keys must be contiguous from "
                        + key(0) + ", found " + key(index));
            }
            expected++;
        }
        List<SqlStatement> statements = new ArrayList<>();
        for (Map.Entry<Integer, String> e : heads.entrySet()) {
            int index = e.getKey();
            StringBuilder text = new StringBuilder(e.getValue());
            TreeMap<Integer, String> own = parts.remove(index);
            if (own != null) {
                int expectedPart = 1;
                for (Map.Entry<Integer, String> p : own.entrySet()) {
                    if (p.getKey() != expectedPart) {
                        throw new JobConfigurationException(key(index) + ".part." + expectedPart
                                + " is missing: parts must be contiguous from .part.1, found .part." + p.getKey());
                    }
                    text.append(p.getValue());
                    expectedPart++;
                }
            }
            SqlStatement statement = new SqlStatement(index, text.toString(), "key " + key(index));
            List<SqlScript.Piece> pieces = SqlScript.split(statement.text());
            if (pieces.isEmpty()) {
                throw new SqlStatementException(statement, "is empty");
            }
            if (pieces.size() > 1) {
                throw new SqlStatementException(statement, "holds " + pieces.size()
                        + " statements separated by ';': give each its own key");
            }
            statements.add(statement.withText(pieces.get(0).text));
        }
        if (!parts.isEmpty()) {
            int orphan = parts.firstKey();
            throw new JobConfigurationException(key(orphan) + ".part." + parts.get(orphan).firstKey()
                    + " continues " + key(orphan) + ", which is missing");
        }
        return statements;
    }

    private static String key(int index) {
        return String.format("%s%03d", JobProperties.STATEMENT_KEY_PREFIX, index);
    }
}
