package com.example.kinesispipelines.flink.functions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the two functions tell the planner (JsonFunctionsTest checks the values they return). */
class JsonFunctionsPlannerTest {
    @Test
    void jsonFieldsIsNonDeterministicSoThatTheMapIsBuiltOncePerRow() {
        // a deterministic function would be inlined into every expression reading the map: one parse per reference
        assertThat(new JsonFields().isDeterministic()).isFalse();
    }

    @Test
    void jsonEventTimeIsNonDeterministicBecauseItReadsTheClock() {
        // constant folding would freeze the clock of its future-skew check at planning time
        assertThat(new JsonEventTime().isDeterministic()).isFalse();
    }
}
