package com.example.kinesispipelines.flink.formats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * One JSON event from the bytes of one record, checked against its schema in the same pass: the top-level fields the
 * schema declares are read (others, nested or not, are skipped), then {@link #fill} checks them and fills the row.
 */
public abstract class EventParser extends RecordParser {
    private static final long serialVersionUID = 1L;
    static final JsonFactory JSON = new JsonFactory();
    static final String NOT_AN_OBJECT = "not a JSON object";
    /** A declared field whose value is JSON null, an object or an array: no declared field allows them. */
    static final Object UNUSABLE = new Object() {
        @Override
        public String toString() {
            return "unusable";
        }
    };

    protected final long maxFutureSkewMillis;

    protected EventParser(long maxFutureSkewMillis) {
        this.maxFutureSkewMillis = maxFutureSkewMillis;
    }

    /** The slot of a declared top-level field, or -1 for a field the schema does not declare. */
    protected abstract int slot(String field);

    /** How many declared fields there are. */
    protected abstract int slots();

    /**
     * Checks the declared fields read (null for absent; String, Long, Double, Boolean or {@link #UNUSABLE}) and fills
     * the row's columns before event_time, and event_time itself; returns the first reason the event is rejected, or
     * null.
     */
    protected abstract String fill(Object[] values, GenericRowData row, long now);

    @Override
    public GenericRowData parse(byte[] bytes) {
        int arity = columns().size();
        Object[] values = new Object[slots()];
        String error = read(bytes, values);
        if (error == null) {
            GenericRowData row = new GenericRowData(arity);
            error = fill(values, row, System.currentTimeMillis());
            if (error == null) {
                return row;
            }
        }
        GenericRowData rejected = new GenericRowData(arity);
        rejected.setField(arity - 3, TimestampData.fromEpochMillis(0));
        rejected.setField(arity - 2, StringData.fromString(error));
        rejected.setField(arity - 1, StringData.fromString(new String(bytes, StandardCharsets.UTF_8)));
        return rejected;
    }

    private String read(byte[] bytes, Object[] values) {
        try (JsonParser parser = JSON.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NOT_AN_OBJECT;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                int slot = slot(parser.currentName());
                JsonToken value = parser.nextToken();
                if (slot < 0) {
                    parser.skipChildren();
                    continue;
                }
                switch (value) {
                    case VALUE_STRING:
                        values[slot] = parser.getText();
                        break;
                    case VALUE_NUMBER_INT:
                        JsonParser.NumberType type = parser.getNumberType();
                        values[slot] = type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG
                                ? (Object) parser.getLongValue() : (Object) parser.getDoubleValue();
                        break;
                    case VALUE_NUMBER_FLOAT:
                        values[slot] = parser.getDoubleValue();
                        break;
                    case VALUE_TRUE:
                    case VALUE_FALSE:
                        values[slot] = value == JsonToken.VALUE_TRUE;
                        break;
                    default:
                        parser.skipChildren();
                        values[slot] = UNUSABLE;
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return NOT_AN_OBJECT; // truncated, or more than one value
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return NOT_AN_OBJECT;
        }
    }

    /** The value as a string of min..max characters (Unicode code points, as JSON Schema counts), or null. */
    static String string(Object value, int min, int max) {
        if (!(value instanceof String)) {
            return null;
        }
        String s = (String) value;
        if (s.length() < min || s.length() > 2 * max) {
            return null;
        }
        int length = s.codePointCount(0, s.length());
        return length >= min && length <= max ? s : null;
    }

    static StringData data(String s) {
        return s == null ? null : StringData.fromString(s);
    }

    /** Why an event time lies too far ahead of the clock. */
    String future(String field) {
        return field + " more than " + maxFutureSkewMillis / 1000 + " s ahead of the clock";
    }
}
