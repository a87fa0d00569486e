package com.example.kinesispipelines.flink.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.junit.jupiter.api.Test;

/** DISTINCT_COUNT alone (the clickstream script counts sessions and users with it in ClickstreamSqlTest). */
class DistinctCountTest {
    private final DistinctCount distinct = new DistinctCount();

    private DistinctCount.Values values(String... keys) {
        DistinctCount.Values acc = distinct.createAccumulator();
        for (String key : keys) {
            distinct.accumulate(acc, key == null ? null : StringData.fromString(key));
        }
        return acc;
    }

    @Test
    void countsDistinctValuesAndNotNull() {
        assertThat(distinct.getValue(values("u:1", "a:1", "u:1", null, "s-1", "a:1"))).isEqualTo(3L);
        assertThat(distinct.getValue(values())).isZero();
        assertThat(distinct.getValue(values((String) null))).isZero();
    }

    @Test
    void keepsItsOwnCopyOfAValueReadFromAReusedBuffer() {
        MemorySegment segment = MemorySegmentFactory.wrap("u:1".getBytes(StandardCharsets.UTF_8));
        DistinctCount.Values acc = distinct.createAccumulator();
        distinct.accumulate(acc, BinaryStringData.fromAddress(new MemorySegment[] {segment}, 0, 3));
        segment.put(2, (byte) '2'); // the buffer now holds the next row's value
        distinct.accumulate(acc, BinaryStringData.fromAddress(new MemorySegment[] {segment}, 0, 3));
        distinct.accumulate(acc, StringData.fromString("u:1"));
        assertThat(distinct.getValue(acc)).isEqualTo(2L);
    }

    @Test
    void mergesSetsNotCounts() {
        DistinctCount.Values acc = values("a", "b");
        distinct.merge(acc, List.of(values("b", "c"), values("a")));
        assertThat(distinct.getValue(acc)).isEqualTo(3L);
    }

    @Test
    void serializesAndCopiesItsValues() throws Exception {
        DistinctCount.ValuesSerializer serializer = new DistinctCount.ValuesSerializer();
        DistinctCount.Values acc = values("a", "b", "\u00e9t\u00e9");
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(acc, out);
        DistinctCount.Values read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        distinct.accumulate(read, StringData.fromString("\u00e9t\u00e9"));
        assertThat(distinct.getValue(read)).isEqualTo(3L);
        DistinctCount.Values copy = serializer.copy(acc);
        distinct.accumulate(acc, StringData.fromString("d"));
        assertThat(distinct.getValue(copy)).as("a copy does not follow the original").isEqualTo(3L);
    }
}
