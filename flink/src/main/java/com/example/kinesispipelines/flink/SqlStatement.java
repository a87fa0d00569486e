package com.example.kinesispipelines.flink;

import java.util.Objects;

/** One SQL statement of the job: its 0-based index in run order, its text, and where it came from. */
public final class SqlStatement {
    private final int index;
    private final String text;
    private final String origin;

    public SqlStatement(int index, String text, String origin) {
        this.index = index;
        this.text = Objects.requireNonNull(text, "text");
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** 0-based position in run order; error messages name it. */
    public int index() {
        return index;
    }

    public String text() {
        return text;
    }

    /** Where the statement came from: {@code key statement.003} or {@code sql/iot-anomalies.sql line 42}. */
    public String origin() {
        return origin;
    }

    /** The same statement with other text (placeholders filled, connector options replaced). */
    public SqlStatement withText(String newText) {
        return new SqlStatement(index, newText, origin);
    }

    @Override
    public String toString() {
        return "statement " + index + " (" + origin + ")";
    }
}
