package dev.tiered.state.hot;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinarySegmentUtils;
import org.apache.flink.table.data.binary.BinaryStringData;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable byte buffer that the hot path reuses for every key and value it encodes: {@link
 * #reset()} and write again, so steady-state encoding allocates nothing. Multi-byte numbers are
 * big-endian (the order keys need). Not thread-safe.
 */
final class ByteWriter {
    private static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int pos;

    ByteWriter(int initialCapacity) {
        this.buf = new byte[Math.max(16, initialCapacity)];
    }

    /** The backing array; valid up to {@link #length()} until the next write. */
    byte[] array() {
        return buf;
    }

    int length() {
        return pos;
    }

    void reset() {
        pos = 0;
    }

    /**
     * Sets the write position, e.g. after filling {@link #array()} directly past {@link #length()}
     * within a capacity {@link #ensure} granted.
     */
    void setLength(int length) {
        pos = length;
    }

    /** A copy of the bytes written. */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    void ensure(int extra) {
        int needed = pos + extra;
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
        }
    }

    void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void writeShort(short v) {
        ensure(2);
        SHORT.set(buf, pos, v);
        pos += 2;
    }

    void writeInt(int v) {
        ensure(4);
        INT.set(buf, pos, v);
        pos += 4;
    }

    void writeLong(long v) {
        ensure(8);
        LONG.set(buf, pos, v);
        pos += 8;
    }

    /** Overwrites 8 bytes at {@code at} (which must be below {@link #length()} - 7). */
    void setLong(int at, long v) {
        LONG.set(buf, at, v);
    }

    /** An unsigned LEB128 varint: 1 byte below 128, at most 5. */
    void writeVarInt(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void writeBytes(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, buf, pos, length);
        pos += length;
    }

    /**
     * Appends a varint length and the UTF-8 bytes of a string, copying straight from the memory
     * segments of a {@link BinaryStringData} (no intermediate array).
     */
    void writeString(StringData s) {
        if (s instanceof BinaryStringData binary) {
            int length = binary.getSizeInBytes();
            MemorySegment[] segments = binary.getSegments();
            writeVarInt(length);
            ensure(length);
            BinarySegmentUtils.copyToBytes(segments, binary.getOffset(), buf, pos, length);
            pos += length;
        } else {
            byte[] bytes = s.toBytes();
            writeVarInt(bytes.length);
            writeBytes(bytes, 0, bytes.length);
        }
    }

    /** Reserves {@code length} bytes and returns their offset, for a caller that fills them. */
    int skip(int length) {
        ensure(length);
        int at = pos;
        pos += length;
        return at;
    }

    static void writeInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }

    static void writeLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    static short readShort(byte[] b, int at) {
        return (short) SHORT.get(b, at);
    }

    static int readInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    static long readLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }
}
