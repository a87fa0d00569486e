package com.example.kinesispipelines.flink;

/** A statement that cannot run: the message starts with {@code statement N (origin): }. */
public final class SqlStatementException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int statementIndex;

    public SqlStatementException(SqlStatement statement, String problem, Throwable cause) {
        super(statement + ": " + problem, cause);
        this.statementIndex = statement.index();
    }

    public SqlStatementException(SqlStatement statement, String problem) {
        this(statement, problem, null);
    }

    /** 0-based index of the bad statement. */
    public int statementIndex() {
        return statementIndex;
    }
}
