package dev.tiered.state.hot;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RawValueData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.types.RowKind;
import org.apache.flink.types.variant.Variant;

import java.util.Arrays;

/**
 * A {@link RowData} view over a row in {@link RowCodec} form. {@link #pointTo} re-targets it
 * without allocating, so a cursor hands out one instance per scan; primitives are read straight
 * from the bytes, and strings are {@link BinaryStringData} over the same bytes (no copy). The view
 * is valid as long as the bytes it points to are unchanged; {@link #copy()} detaches it.
 */
final class HotRow implements RowData {
    private final RowCodec codec;
    private final int[] offsets;
    private final int[] lengths;
    private byte[] buf;
    private MemorySegment[] segments;
    private int bitmapOffset;
    private RowKind kind = RowKind.INSERT;

    HotRow(RowCodec codec) {
        this.codec = codec;
        this.offsets = new int[codec.arity()];
        this.lengths = new int[codec.arity()];
    }

    /** Points the view at the encoded row in {@code bytes[offset..]}. */
    void pointTo(byte[] bytes, int offset) {
        if (bytes != buf) {
            buf = bytes;
            segments = new MemorySegment[] {MemorySegmentFactory.wrap(bytes)};
        }
        bitmapOffset = offset;
        int p = offset + codec.bitmapBytes();
        for (int i = 0; i < offsets.length; i++) {
            if (isNullAt(i)) {
                continue;
            }
            int width = fixedWidth(codec.kind(i));
            if (width < 0) {
                int length = 0;
                int shift = 0;
                byte b;
                do {
                    b = bytes[p++];
                    length |= (b & 0x7F) << shift;
                    shift += 7;
                } while (b < 0);
                width = length;
            }
            offsets[i] = p;
            lengths[i] = width;
            p += width;
        }
    }

    /** An independent row with its own copy of the bytes. */
    HotRow copy() {
        HotRow copy = new HotRow(codec);
        int end = offsets.length == 0 ? bitmapOffset + codec.bitmapBytes() : end();
        copy.pointTo(Arrays.copyOfRange(buf, bitmapOffset, end), 0);
        copy.kind = kind;
        return copy;
    }

    private int end() {
        int end = bitmapOffset + codec.bitmapBytes();
        for (int i = 0; i < offsets.length; i++) {
            if (!isNullAt(i)) {
                end = Math.max(end, offsets[i] + lengths[i]);
            }
        }
        return end;
    }

    private static int fixedWidth(FieldKind kind) {
        return switch (kind) {
            case BOOLEAN, TINYINT -> 1;
            case SMALLINT -> 2;
            case INT, FLOAT -> 4;
            case BIGINT, DOUBLE, DECIMAL_COMPACT, TIMESTAMP_MILLIS -> 8;
            case TIMESTAMP_NANOS -> 12;
            case DECIMAL_WIDE, STRING, BINARY -> -1;
        };
    }

    @Override
    public int getArity() {
        return offsets.length;
    }

    @Override
    public RowKind getRowKind() {
        return kind;
    }

    @Override
    public void setRowKind(RowKind kind) {
        this.kind = kind;
    }

    @Override
    public boolean isNullAt(int pos) {
        return (buf[bitmapOffset + (pos >>> 3)] & (1 << (pos & 7))) != 0;
    }

    @Override
    public boolean getBoolean(int pos) {
        return buf[offsets[pos]] != 0;
    }

    @Override
    public byte getByte(int pos) {
        return buf[offsets[pos]];
    }

    @Override
    public short getShort(int pos) {
        return ByteWriter.readShort(buf, offsets[pos]);
    }

    @Override
    public int getInt(int pos) {
        return ByteWriter.readInt(buf, offsets[pos]);
    }

    @Override
    public long getLong(int pos) {
        return ByteWriter.readLong(buf, offsets[pos]);
    }

    @Override
    public float getFloat(int pos) {
        return Float.intBitsToFloat(ByteWriter.readInt(buf, offsets[pos]));
    }

    @Override
    public double getDouble(int pos) {
        return Double.longBitsToDouble(ByteWriter.readLong(buf, offsets[pos]));
    }

    @Override
    public StringData getString(int pos) {
        return BinaryStringData.fromAddress(segments, offsets[pos], lengths[pos]);
    }

    @Override
    public DecimalData getDecimal(int pos, int precision, int scale) {
        if (codec.kind(pos) == FieldKind.DECIMAL_COMPACT) {
            return DecimalData.fromUnscaledLong(
                    ByteWriter.readLong(buf, offsets[pos]), precision, scale);
        }
        return DecimalData.fromUnscaledBytes(getBinary(pos), precision, scale);
    }

    @Override
    public TimestampData getTimestamp(int pos, int precision) {
        long millis = ByteWriter.readLong(buf, offsets[pos]);
        if (codec.kind(pos) == FieldKind.TIMESTAMP_NANOS) {
            return TimestampData.fromEpochMillis(millis, ByteWriter.readInt(buf, offsets[pos] + 8));
        }
        return TimestampData.fromEpochMillis(millis);
    }

    @Override
    public byte[] getBinary(int pos) {
        return Arrays.copyOfRange(buf, offsets[pos], offsets[pos] + lengths[pos]);
    }

    @Override
    public <T> RawValueData<T> getRawValue(int pos) {
        throw unsupported("RAW");
    }

    @Override
    public ArrayData getArray(int pos) {
        throw unsupported("ARRAY");
    }

    @Override
    public MapData getMap(int pos) {
        throw unsupported("MAP");
    }

    @Override
    public RowData getRow(int pos, int numFields) {
        throw unsupported("ROW");
    }

    @Override
    public Variant getVariant(int pos) {
        throw unsupported("VARIANT");
    }

    private static UnsupportedOperationException unsupported(String type) {
        return new UnsupportedOperationException(
                "Cannot read " + type + " from a hot row: tiered tables do not store it");
    }
}
