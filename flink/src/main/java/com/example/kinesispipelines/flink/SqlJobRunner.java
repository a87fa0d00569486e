package com.example.kinesispipelines.flink;

import java.util.ArrayList;
import com.example.kinesispipelines.flink.functions.JsonEventTime;
import com.example.kinesispipelines.flink.functions.DistinctCount;
import com.example.kinesispipelines.flink.functions.JsonFields;
import com.example.kinesispipelines.flink.functions.TopCounts;
import com.example.kinesispipelines.flink.steps.RollingSums;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.ExplainOperation;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.StatementSetOperation;
import org.apache.flink.table.operations.command.SetOperation;
import org.apache.flink.table.operations.ddl.CreateTableOperation;

/**
 * Validates and plans the job's statements in order, failing on the first bad one with its index: each statement is
 * parsed; DDL, {@code SET 'key' = 'value'} (into the table configuration) and the like run at once (they only touch the catalog and configuration); each
 * {@code INSERT INTO} is planned ({@code EXPLAIN}) and added to one statement set, which then runs as one job. A
 * statement that uses a step of this job ({@link RollingSums}) registers the step's view instead.
 */
public final class SqlJobRunner {
    /** {@code JSON_FIELDS(payload)}: see {@link JsonFields}. */
    public static final String JSON_FIELDS = "JSON_FIELDS";

    /** {@code JSON_EVENT_TIME(payload, field, maxFutureSkewSeconds)}: see {@link JsonEventTime}. */
    public static final String JSON_EVENT_TIME = "JSON_EVENT_TIME";

    /** {@code TOP_COUNTS(key, n)}: see {@link TopCounts}. */
    public static final String TOP_COUNTS = "TOP_COUNTS";

    /** {@code DISTINCT_COUNT(key)}: see {@link DistinctCount}. */
    public static final String DISTINCT_COUNT = "DISTINCT_COUNT";

    private SqlJobRunner() {}

    /**
     * @return the statement set holding every INSERT, ready to {@code execute()}
     * @throws SqlStatementException naming the first statement that does not parse, plan or run
     */
    public static StatementSet prepare(TableEnvironment tEnv, List<SqlStatement> statements) {
        return prepare(tEnv, statements, LocalOverrides.NONE);
    }

    /**
     * As {@link #prepare(TableEnvironment, List)}, with {@code overrides} applied to the options of every
     * {@code kinesis} table as its CREATE TABLE runs: the statement is parsed as written and the table it creates is
     * registered in the catalog with the overridden options (the SQL text is not rewritten).
     */
    public static StatementSet prepare(TableEnvironment tEnv, List<SqlStatement> statements, LocalOverrides overrides) {
        registerFunctions(tEnv);
        StatementSet set = tEnv.createStatementSet();
        List<SqlStatement> inserts = new ArrayList<>();
        for (SqlStatement statement : statements) {
            if (RollingSums.isStep(statement)) {
                RollingSums.apply(tEnv, statement);
                continue;
            }
            Operation operation = parse(tEnv, statement);
            if (operation instanceof ModifyOperation) {
                try {
                    tEnv.explainSql(statement.text());
                    set.addInsertSql(statement.text());
                } catch (RuntimeException e) {
                    throw new SqlStatementException(statement, "cannot be planned: " + describe(e), e);
                }
                inserts.add(statement);
            } else if (operation instanceof QueryOperation) {
                throw new SqlStatementException(statement,
                        "is a query without a sink: write its rows with INSERT INTO <table> SELECT ...");
            } else if (operation instanceof SetOperation) {
                SetOperation set0 = (SetOperation) operation;
                if (set0.getKey().isEmpty() || set0.getValue().isEmpty()) {
                    throw new SqlStatementException(statement, "is a SET without 'key' = 'value'");
                }
                try {
                    tEnv.getConfig().set(set0.getKey().get(), set0.getValue().get());
                } catch (RuntimeException e) {
                    throw new SqlStatementException(statement, "failed: " + describe(e), e);
                }
            } else if (operation instanceof StatementSetOperation || operation instanceof ExplainOperation) {
                throw new SqlStatementException(statement,
                        "is not supported here: give each INSERT INTO as its own statement (they run as one job)");
            } else if (operation instanceof CreateTableOperation && !overrides.isEmpty()) {
                try {
                    ((TableEnvironmentInternal) tEnv).executeInternal(
                            withOverrides((TableEnvironmentInternal) tEnv, (CreateTableOperation) operation, overrides));
                } catch (RuntimeException e) {
                    throw new SqlStatementException(statement, "failed: " + describe(e), e);
                }
            } else {
                try {
                    tEnv.executeSql(statement.text());
                } catch (RuntimeException e) {
                    throw new SqlStatementException(statement, "failed: " + describe(e), e);
                }
            }
        }
        if (inserts.isEmpty()) {
            throw new JobConfigurationException("the " + statements.size()
                    + " statements hold no INSERT INTO: the job would write nothing");
        }
        return set;
    }

    /**
     * The same CREATE TABLE with the table's options overridden (unchanged unless its connector is kinesis). The copy is
     * a {@link ResolvedCatalogTable}, the only table Flink 2.x's operation takes; Flink 1.19's parser already hands one
     * over, typed as {@link CatalogTable}, and the catalog manager returns a resolved table as it is.
     */
    static CreateTableOperation withOverrides(TableEnvironmentInternal tEnv, CreateTableOperation create,
            LocalOverrides overrides) {
        CatalogTable table = create.getCatalogTable();
        Map<String, String> options = overrides.apply(table.getOptions());
        if (options == table.getOptions()) {
            return create;
        }
        ResolvedCatalogTable resolved = tEnv.getCatalogManager().resolveCatalogTable(table);
        return new CreateTableOperation(create.getTableIdentifier(), resolved.copy(options), create.isIgnoreIfExists(),
                create.isTemporary());
    }

    /** The job's own functions, available to every statement without CREATE FUNCTION. */
    public static void registerFunctions(TableEnvironment tEnv) {
        tEnv.createTemporarySystemFunction(JSON_FIELDS, JsonFields.class);
        tEnv.createTemporarySystemFunction(JSON_EVENT_TIME, JsonEventTime.class);
        tEnv.createTemporarySystemFunction(TOP_COUNTS, TopCounts.class);
        tEnv.createTemporarySystemFunction(DISTINCT_COUNT, DistinctCount.class);
    }

    private static Operation parse(TableEnvironment tEnv, SqlStatement statement) {
        List<Operation> operations;
        try {
            operations = ((TableEnvironmentInternal) tEnv).getParser().parse(statement.text());
        } catch (RuntimeException e) {
            throw new SqlStatementException(statement, "does not parse: " + describe(e), e);
        }
        if (operations.size() != 1) {
            throw new SqlStatementException(statement, "holds " + operations.size() + " statements, expected one");
        }
        return operations.get(0);
    }

    /** The exception's message and its deepest cause's, which usually names the column or option at fault. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = firstLines(e.getMessage());
        if (root != e && root.getMessage() != null && !message.contains(firstLines(root.getMessage()))) {
            message = message + " (cause: " + firstLines(root.getMessage()) + ")";
        }
        return message;
    }

    private static String firstLines(String message) {
        if (message == null) {
            return "";
        }
        String[] lines = message.strip().split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length && i < 6; i++) {
            out.append(i == 0 ? "" : " ").append(lines[i].strip());
        }
        return out.toString();
    }
}
