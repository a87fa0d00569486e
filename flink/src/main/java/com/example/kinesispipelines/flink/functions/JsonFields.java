package com.example.kinesispipelines.flink.functions;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code JSON_FIELDS(payload)}: the top-level scalar fields of a JSON object as a {@code MAP<STRING, STRING>} (numbers
 * and booleans as their JSON text, strings unquoted; JSON null, nested objects and arrays left out), or NULL when the
 * payload is not exactly one well-formed JSON object. One parse per record, where each {@code JSON_VALUE} call parses
 * the whole payload again; declared non-deterministic so that the planner evaluates it once per row instead of
 * inlining it into every expression that reads the map.
 */
public final class JsonFields extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    static final JsonFactory JSON = new JsonFactory();

    public @DataTypeHint("MAP<STRING, STRING>") Map<String, String> eval(String payload) {
        if (payload == null) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, String> fields = new HashMap<>();
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    parser.skipChildren();
                } else if (value != JsonToken.VALUE_NULL) {
                    fields.put(name, parser.getText());
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null; // truncated, or more than one value
            }
            return fields;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public boolean isDeterministic() {
        return false;
    }
}
