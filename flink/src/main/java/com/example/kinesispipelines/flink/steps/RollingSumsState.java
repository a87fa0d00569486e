package com.example.kinesispipelines.flink.steps;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.table.data.RowData;

/**
 * The whole state of one key of {@link RollingSumsFunction}, held in one {@code ValueState}, so that a row costs one
 * read and one write of it when it comes and one of each when its time fires (on RocksDB, each access is a lookup and
 * a write of serialized bytes; on the heap backend, the object is updated in place):
 * <ul>
 * <li>the last time fired (rows at or before it are late), the cleanup time, and the key's two event-time timers
 *     registered (one at its first waiting row's time, one at its next cleanup time; Flink keeps one where they
 *     coincide);</li>
 * <li>the cleanup timers registered and not fired yet, in time order (Flink's operator registers one each time a row
 *     would outlive the previous one, and a stale one, when it fires, still marks its time as fired);</li>
 * <li>per metric, the count and the bits of the sum and sum of squares of the frame;</li>
 * <li>the queue of the fired times still in the frame, oldest first: per time, the time, the number of rows, then per
 *     row a mask of its non-NULL metrics and the bits of those values; its oldest and newest times in this value (a
 *     {@code long[]} each), the ones between in chunks of {@link #CHUNK} times in a map state of the function, so that
 *     the value stays small whatever the window's length (one chunk is written and one read per {@code CHUNK}
 *     times);</li>
 * <li>the rows waiting for the watermark, in time order (rows of one time in the order they came), with their
 *     times.</li>
 * </ul>
 * Its size (with the chunks) is bounded by the rows of one frame plus those waiting: times leave the queue as the frame
 * passes them, and the whole state is cleared 1.5 frames after the key's last row.
 */
public final class RollingSumsState {
    static final long NO_TIMER = Long.MIN_VALUE;
    /** Times per stored chunk of the queue. */
    static final int CHUNK = 8;
    private static final long[] NO_LONGS = new long[0];
    private static final RowData[] NO_ROWS = new RowData[0];

    long lastFired;
    long cleanupAt;
    /** The timer at the first waiting row's time, and the one at the first cleanup time (NO_TIMER: none). */
    long rowsTimer = NO_TIMER;
    long cleanupTimer = NO_TIMER;
    long[] cleanups = NO_LONGS;
    int cleanupCount;
    /** Per metric i: the count at 3i, the bits of the sum at 3i + 1 and of the sum of squares at 3i + 2. */
    final long[] sums;
    /** The oldest times of the queue, in memory: entries from headStart to headEnd. */
    long[] head = NO_LONGS;
    int headStart;
    int headEnd;
    /** The times after the head, in chunks of {@link #CHUNK} entries in a map state by number, oldest first. */
    long firstChunk;
    long nextChunk;
    /** The newest times of the queue, in memory until they fill a chunk: entries up to tailEnd. */
    long[] tail = NO_LONGS;
    int tailEnd;
    int tailEntries;
    long[] pendingTimes = NO_LONGS;
    RowData[] pendingRows = NO_ROWS;
    int pendingCount;

    RollingSumsState(int metrics) {
        sums = new long[3 * metrics];
        long zero = Double.doubleToRawLongBits(0.0);
        for (int i = 0; i < metrics; i++) {
            sums[3 * i + 1] = zero;
            sums[3 * i + 2] = zero;
        }
    }

    private RollingSumsState(long[] sums) {
        this.sums = sums;
    }

    /** Adds a waiting row after every waiting row at or before its time. */
    void addPending(long time, RowData row) {
        if (pendingCount == pendingTimes.length) {
            int capacity = Math.max(4, 2 * pendingCount);
            pendingTimes = Arrays.copyOf(pendingTimes, capacity);
            pendingRows = Arrays.copyOf(pendingRows, capacity);
        }
        int at = pendingCount;
        while (at > 0 && pendingTimes[at - 1] > time) {
            at--;
        }
        System.arraycopy(pendingTimes, at, pendingTimes, at + 1, pendingCount - at);
        System.arraycopy(pendingRows, at, pendingRows, at + 1, pendingCount - at);
        pendingTimes[at] = time;
        pendingRows[at] = row;
        pendingCount++;
    }

    /** Removes the first {@code n} waiting rows. */
    void removePending(int n) {
        System.arraycopy(pendingTimes, n, pendingTimes, 0, pendingCount - n);
        System.arraycopy(pendingRows, n, pendingRows, 0, pendingCount - n);
        Arrays.fill(pendingRows, pendingCount - n, pendingCount, null);
        pendingCount -= n;
    }

    /** Notes a cleanup timer (later than every one noted before). */
    void addCleanup(long time) {
        if (cleanupCount == cleanups.length) {
            cleanups = Arrays.copyOf(cleanups, Math.max(4, 2 * cleanupCount));
        }
        cleanups[cleanupCount++] = time;
    }

    /** Forgets the cleanup timers at or before {@code time} (they have fired). */
    void removeCleanupsUpTo(long time) {
        int n = 0;
        while (n < cleanupCount && cleanups[n] <= time) {
            n++;
        }
        if (n > 0) {
            System.arraycopy(cleanups, n, cleanups, 0, cleanupCount - n);
            cleanupCount -= n;
        }
    }

    /** The time of the next timer the key needs: its first waiting row's or its next cleanup timer's. */
    long nextTimer() {
        long next = Long.MAX_VALUE;
        if (pendingCount > 0) {
            next = pendingTimes[0];
        }
        if (cleanupCount > 0 && cleanups[0] < next) {
            next = cleanups[0];
        }
        return next;
    }

    /** Makes room for {@code n} more longs at the tail's end. */
    void reserveTail(int n) {
        if (tailEnd + n > tail.length) {
            tail = Arrays.copyOf(tail, Math.max(16, 2 * (tailEnd + n)));
        }
    }

    /** Makes the tail's entries the head (the head is empty and no chunk is stored). */
    void tailToHead() {
        long[] emptied = head;
        head = tail;
        headStart = 0;
        headEnd = tailEnd;
        tail = emptied;
        tailEnd = 0;
        tailEntries = 0;
    }

    /** Makes a chunk's entries the head (the head is empty). */
    void chunkToHead(long[] chunk) {
        head = chunk;
        headStart = 0;
        headEnd = chunk.length;
    }

    /**
     * Serializer of {@link RollingSumsState}, with the rows' serializer nested. Its snapshot is versioned (version 1,
     * the layout above); a later layout bumps the version and reads version 1 values in
     * {@link #deserialize(DataInputView)} through the snapshot's read version, or migrates.
     */
    public static final class Serializer extends TypeSerializer<RollingSumsState> {
        private static final long serialVersionUID = 1L;
        private final TypeSerializer<RowData> rows;

        public Serializer(TypeSerializer<RowData> rows) {
            this.rows = rows;
        }

        TypeSerializer<RowData> rows() {
            return rows;
        }

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<RollingSumsState> duplicate() {
            TypeSerializer<RowData> duplicate = rows.duplicate();
            return duplicate == rows ? this : new Serializer(duplicate);
        }

        @Override
        public RollingSumsState createInstance() {
            return new RollingSumsState(0);
        }

        @Override
        public RollingSumsState copy(RollingSumsState from) {
            RollingSumsState to = new RollingSumsState(from.sums.clone());
            to.lastFired = from.lastFired;
            to.cleanupAt = from.cleanupAt;
            to.rowsTimer = from.rowsTimer;
            to.cleanupTimer = from.cleanupTimer;
            to.cleanups = Arrays.copyOf(from.cleanups, from.cleanupCount);
            to.cleanupCount = from.cleanupCount;
            to.head = Arrays.copyOfRange(from.head, from.headStart, from.headEnd);
            to.headEnd = to.head.length;
            to.firstChunk = from.firstChunk;
            to.nextChunk = from.nextChunk;
            to.tail = Arrays.copyOf(from.tail, from.tailEnd);
            to.tailEnd = from.tailEnd;
            to.tailEntries = from.tailEntries;
            to.pendingTimes = Arrays.copyOf(from.pendingTimes, from.pendingCount);
            to.pendingRows = new RowData[from.pendingCount];
            for (int i = 0; i < from.pendingCount; i++) {
                to.pendingRows[i] = rows.copy(from.pendingRows[i]);
            }
            to.pendingCount = from.pendingCount;
            return to;
        }

        @Override
        public RollingSumsState copy(RollingSumsState from, RollingSumsState reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(RollingSumsState s, DataOutputView out) throws IOException {
            out.writeLong(s.lastFired);
            out.writeLong(s.cleanupAt);
            out.writeLong(s.rowsTimer);
            out.writeLong(s.cleanupTimer);
            writeLongs(s.cleanups, 0, s.cleanupCount, out);
            writeLongs(s.sums, 0, s.sums.length, out);
            writeLongs(s.head, s.headStart, s.headEnd, out);
            out.writeLong(s.firstChunk);
            out.writeLong(s.nextChunk);
            writeLongs(s.tail, 0, s.tailEnd, out);
            out.writeInt(s.tailEntries);
            out.writeInt(s.pendingCount);
            for (int i = 0; i < s.pendingCount; i++) {
                out.writeLong(s.pendingTimes[i]);
                rows.serialize(s.pendingRows[i], out);
            }
        }

        private static void writeLongs(long[] values, int from, int to, DataOutputView out) throws IOException {
            out.writeInt(to - from);
            for (int i = from; i < to; i++) {
                out.writeLong(values[i]);
            }
        }

        private static long[] readLongs(DataInputView in) throws IOException {
            int n = in.readInt();
            if (n == 0) {
                return NO_LONGS;
            }
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = in.readLong();
            }
            return values;
        }

        @Override
        public RollingSumsState deserialize(DataInputView in) throws IOException {
            long lastFired = in.readLong();
            long cleanupAt = in.readLong();
            long rowsTimer = in.readLong();
            long cleanupTimer = in.readLong();
            long[] cleanups = readLongs(in);
            RollingSumsState s = new RollingSumsState(readLongs(in));
            s.lastFired = lastFired;
            s.cleanupAt = cleanupAt;
            s.rowsTimer = rowsTimer;
            s.cleanupTimer = cleanupTimer;
            s.cleanups = cleanups;
            s.cleanupCount = cleanups.length;
            s.head = readLongs(in);
            s.headEnd = s.head.length;
            s.firstChunk = in.readLong();
            s.nextChunk = in.readLong();
            s.tail = readLongs(in);
            s.tailEnd = s.tail.length;
            s.tailEntries = in.readInt();
            int pending = in.readInt();
            if (pending > 0) {
                s.pendingTimes = new long[pending];
                s.pendingRows = new RowData[pending];
                for (int i = 0; i < pending; i++) {
                    s.pendingTimes[i] = in.readLong();
                    s.pendingRows[i] = rows.deserialize(in);
                }
                s.pendingCount = pending;
            }
            return s;
        }

        @Override
        public RollingSumsState deserialize(RollingSumsState reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Serializer && rows.equals(((Serializer) o).rows);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Serializer.class, rows);
        }

        @Override
        public TypeSerializerSnapshot<RollingSumsState> snapshotConfiguration() {
            return new Snapshot(this);
        }
    }

    /** The serializer's snapshot: the layout's version and the rows' serializer's snapshot. */
    public static final class Snapshot extends CompositeTypeSerializerSnapshot<RollingSumsState, Serializer> {
        private static final int VERSION = 1;

        /**
         * For Flink, which instantiates a snapshot by reflection before it reads it. (The superclass's constructor that
         * takes the serializer's class is deprecated since Flink 1.19, which ignores the class.)
         */
        public Snapshot() {
            super();
        }

        Snapshot(Serializer serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(Serializer outer) {
            return new TypeSerializer<?>[] {outer.rows()};
        }

        @SuppressWarnings("unchecked")
        @Override
        protected Serializer createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new Serializer((TypeSerializer<RowData>) nested[0]);
        }
    }
}
