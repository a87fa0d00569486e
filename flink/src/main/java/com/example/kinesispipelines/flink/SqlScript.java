package com.example.kinesispipelines.flink;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements at each {@code ;} that is outside quotes ({@code '...'}, {@code "..."},
 * {@code `...`}) and comments ({@code -- ...}, {@code /* ... *&#47;}). Comments are dropped, except hints
 * ({@code /*+ ... *&#47;}); statements holding only whitespace and comments are dropped too.
 */
public final class SqlScript {
    private SqlScript() {}

    /** A piece of a script: its text (without the {@code ;}) and the 1-based line its first token is on. */
    public static final class Piece {
        public final String text;
        public final int line;

        Piece(String text, int line) {
            this.text = text;
            this.line = line;
        }
    }

    public static List<Piece> split(String script) {
        List<Piece> pieces = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int firstTokenLine = -1;
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            char next = i + 1 < n ? script.charAt(i + 1) : '\0';
            if (c == '-' && next == '-') {
                int end = script.indexOf('\n', i);
                i = end < 0 ? n : end; // comments are dropped (placeholders in them are not filled)
                continue;
            }
            if (c == '/' && next == '*') {
                int end = script.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                line += count(script, i, end, '\n');
                if (i + 2 < n && script.charAt(i + 2) == '+') {
                    current.append(script, i, end); // a hint: /*+ OPTIONS(...) */
                } else {
                    current.append(' ');
                }
                i = end;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                if (firstTokenLine < 0) {
                    firstTokenLine = line;
                }
                int end = closingQuote(script, i, c);
                line += count(script, i, end, '\n');
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == ';') {
                add(pieces, current, firstTokenLine);
                current.setLength(0);
                firstTokenLine = -1;
                i++;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (!Character.isWhitespace(c) && firstTokenLine < 0) {
                firstTokenLine = line;
            }
            current.append(c);
            i++;
        }
        add(pieces, current, firstTokenLine);
        return pieces;
    }

    /** Index just past the quote that closes the one at {@code start}; a doubled quote is an escaped one. */
    private static int closingQuote(String s, int start, char quote) {
        int i = start + 1;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return s.length();
    }

    private static int count(String s, int from, int to, char c) {
        int count = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                count++;
            }
        }
        return count;
    }

    private static void add(List<Piece> pieces, StringBuilder current, int firstTokenLine) {
        if (firstTokenLine < 0) {
            return; // only whitespace and comments
        }
        pieces.add(new Piece(current.toString().strip(), firstTokenLine));
    }
}
