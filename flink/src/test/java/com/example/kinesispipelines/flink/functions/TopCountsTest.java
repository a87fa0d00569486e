package com.example.kinesispipelines.flink.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** TOP_COUNTS alone (the clickstream script runs it in ClickstreamSqlTest and QuietShardWindowsTest). */
class TopCountsTest {
    private final TopCounts top = new TopCounts();

    private TopCounts.Counts counts(int n, String... keys) {
        TopCounts.Counts acc = top.createAccumulator();
        for (String key : keys) {
            top.accumulate(acc, key == null ? null : StringData.fromString(key), n);
        }
        return acc;
    }

    /** rank key count, one string per row. */
    private static List<String> rows(Row[] rows) {
        return Arrays.stream(rows).map(r -> r.getField(0) + " " + r.getField(1) + " " + r.getField(2))
                .collect(Collectors.toList());
    }

    @Test
    void ranksByCountDescendingThenByKeyAscending() {
        TopCounts.Counts acc = counts(3, "b", "c", "a", "c", "b", "d", null, null, null);
        assertThat(rows(top.getValue(acc))).containsExactly("1 b 2", "2 c 2", "3 a 1");
        assertThat(rows(top.getValue(counts(10, "x", "y")))).containsExactly("1 x 1", "2 y 1");
        assertThat(top.getValue(counts(0, "x"))).isEmpty();
        assertThat(top.getValue(counts(2, (String) null))).isEmpty();
    }

    @Test
    void ordersEqualCountsByCodePointAsFlinkOrdersStrings() {
        // U+FF21 sorts before U+1F600 by code point (and UTF-8 bytes), after it by UTF-16 unit (String.compareTo).
        String fullwidthA = "\uFF21";
        String emoji = new String(Character.toChars(0x1F600));
        assertThat(rows(top.getValue(counts(2, emoji, fullwidthA)))).containsExactly("1 " + fullwidthA + " 1", "2 " + emoji + " 1");
    }

    @Test
    void keepsItsOwnCopyOfAKeyReadFromAReusedBuffer() {
        MemorySegment segment = MemorySegmentFactory.wrap("p-a".getBytes(StandardCharsets.UTF_8));
        TopCounts.Counts acc = top.createAccumulator();
        top.accumulate(acc, BinaryStringData.fromAddress(new MemorySegment[] {segment}, 0, 3), 2);
        segment.put(2, (byte) 'b'); // the buffer now holds the next row's key
        top.accumulate(acc, BinaryStringData.fromAddress(new MemorySegment[] {segment}, 0, 3), 2);
        assertThat(rows(top.getValue(acc))).containsExactly("1 p-a 1", "2 p-b 1");
    }

    @Test
    void mergesTheCountsOfSlices() {
        TopCounts.Counts acc = counts(2, "a");
        top.merge(acc, List.of(counts(2, "b", "b"), counts(2, "a", "c", "a")));
        assertThat(rows(top.getValue(acc))).containsExactly("1 a 3", "2 b 2");
        assertThat(rows(top.getValue(counts(2, "b", "b")))).as("merged slices unchanged").containsExactly("1 b 2");
    }

    @Test
    void serializesAndCopiesItsCounts() throws Exception {
        TopCounts.CountsSerializer serializer = new TopCounts.CountsSerializer();
        TopCounts.Counts acc = counts(2, "a", "b", "b", "\u00e9t\u00e9");
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(acc, out);
        TopCounts.Counts read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read.n).isEqualTo(2);
        assertThat(rows(top.getValue(read))).containsExactly("1 b 2", "2 a 1");
        TopCounts.Counts copy = serializer.copy(acc);
        top.accumulate(acc, StringData.fromString("a"), 2);
        top.accumulate(acc, StringData.fromString("a"), 2);
        assertThat(rows(top.getValue(copy))).as("a copy does not follow the original").containsExactly("1 b 2", "2 a 1");
        assertThat(serializer.snapshotConfiguration().restoreSerializer()).isInstanceOf(TopCounts.CountsSerializer.class);
    }
}
