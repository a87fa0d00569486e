package com.example.kinesispipelines.flink.functions;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code JSON_EVENT_TIME(payload, field, maxFutureSkewSeconds)}: the event time held by a top-level field of a JSON
 * object as epoch milliseconds (a JSON integer or a string of digits), as {@code TIMESTAMP_LTZ(3)}. When the payload
 * is not a JSON object, the field is missing or not a positive integer, or it lies more than
 * {@code maxFutureSkewSeconds} ahead of the clock, the result is the epoch (1970-01-01T00:00:00Z) and never NULL: a
 * rowtime cannot be NULL, and the epoch never advances the watermark. Scans the payload only up to the field.
 */
public final class JsonEventTime extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    static final Instant INVALID = Instant.EPOCH;

    public @DataTypeHint("TIMESTAMP_LTZ(3)") Instant eval(String payload, String field, Integer maxFutureSkewSeconds) {
        if (payload == null || field == null) {
            return INVALID;
        }
        try (JsonParser parser = JsonFields.JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return INVALID;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!field.equals(name)) {
                    parser.skipChildren();
                    continue;
                }
                long millis;
                if (value == JsonToken.VALUE_NUMBER_INT) {
                    millis = parser.getLongValue();
                } else if (value == JsonToken.VALUE_STRING && parser.getText().matches("\\d{1,18}")) {
                    millis = Long.parseLong(parser.getText());
                } else {
                    return INVALID;
                }
                long latest = System.currentTimeMillis() + 1000L * (maxFutureSkewSeconds == null ? 0 : maxFutureSkewSeconds);
                return millis > 0 && millis <= latest ? Instant.ofEpochMilli(millis) : INVALID;
            }
            return INVALID;
        } catch (IOException | RuntimeException e) {
            return INVALID;
        }
    }

    @Override
    public boolean isDeterministic() {
        return false; // reads the clock
    }
}
