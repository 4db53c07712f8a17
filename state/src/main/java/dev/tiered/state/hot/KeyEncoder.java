package dev.tiered.state.hot;

import dev.tiered.state.TableDefinition;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.LogicalType;

import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The key order contract shared by the hot store, hot segments, cold Parquet batches and merges: an
 * order-preserving ("memcomparable") byte encoding of one primary-key column. For two non-null
 * values {@code a} and {@code b} of the column's type, {@code ORDER.compare(encode(a), encode(b))}
 * has the sign of the natural SQL comparison of {@code a} and {@code b}, and encodings are equal
 * exactly when the values are:
 *
 * <ul>
 *   <li>TINYINT, SMALLINT, INT, BIGINT, DATE, TIME: numerically (signed); big-endian, sign bit
 *       flipped.
 *   <li>FLOAT, DOUBLE: by {@link Double#compare} total order (-0.0 before 0.0, NaN last): IEEE
 *       bits, all bits flipped for negatives and the sign bit for the rest.
 *   <li>DECIMAL(p, s): numerically; the unscaled value at the column's scale, as 8 (p ≤ 18) or 16
 *       bytes of two's complement with the sign bit flipped.
 *   <li>TIMESTAMP, TIMESTAMP_LTZ: chronologically; epoch millis as BIGINT, then (precision above 3)
 *       the nanos of the milli as 4 bytes. Precision up to 3 keeps millis only, as Flink's binary
 *       rows do.
 *   <li>BOOLEAN: false (0) before true (1).
 *   <li>CHAR, VARCHAR: by UTF-8 bytes, unsigned (code point order, as {@link
 *       BinaryStringData#compareTo}); BINARY, VARBINARY by unsigned bytes. Each 0x00 byte is
 *       written as 0x00 0xFF and the value ends with 0x00 0x00, so an encoding is never a prefix of
 *       another and keys stay ordered when more columns follow.
 * </ul>
 *
 * <p>{@link #ORDER} (unsigned lexicographic, shorter first) is the order of encodings. Encoders are
 * immutable and thread-safe. Null keys are rejected: Flink refuses them before a sink.
 */
public final class KeyEncoder {

    /** The order of encoded keys: unsigned lexicographic bytes, a prefix before its extensions. */
    public static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    private final LogicalType type;
    private final FieldKind kind;
    private final int precision;
    private final int scale;

    private KeyEncoder(LogicalType type) {
        this.type = type;
        this.kind = FieldKind.of(type);
        this.precision = FieldKind.precisionOf(type);
        this.scale = FieldKind.scaleOf(type);
    }

    /**
     * The encoder of a primary-key column type.
     *
     * @throws IllegalArgumentException if the type is not one of {@link
     *     TableDefinition#SUPPORTED_TYPES}
     */
    public static KeyEncoder forType(LogicalType type) {
        return new KeyEncoder(type);
    }

    /** Whether {@link #forType} accepts the type. */
    public static boolean supports(LogicalType type) {
        return TableDefinition.SUPPORTED_TYPES.contains(type.getTypeRoot());
    }

    public LogicalType type() {
        return type;
    }

    /**
     * The encoding of field {@code pos} of {@code row}, in a new array.
     *
     * @throws IllegalArgumentException if the field is null
     */
    public byte[] encode(RowData row, int pos) {
        ByteWriter out = new ByteWriter(16);
        encode(row, pos, out);
        return out.toByteArray();
    }

    /** Appends the encoding of field {@code pos} of {@code row} to {@code out}. */
    void encode(RowData row, int pos, ByteWriter out) {
        if (row.isNullAt(pos)) {
            throw new IllegalArgumentException(
                    "Cannot encode key: field "
                            + pos
                            + " ("
                            + type.asSummaryString()
                            + ") is null");
        }
        switch (kind) {
            case BOOLEAN -> out.writeByte(row.getBoolean(pos) ? 1 : 0);
            case TINYINT -> out.writeByte(row.getByte(pos) ^ 0x80);
            case SMALLINT -> out.writeShort((short) (row.getShort(pos) ^ 0x8000));
            case INT -> out.writeInt(row.getInt(pos) ^ Integer.MIN_VALUE);
            case BIGINT -> out.writeLong(row.getLong(pos) ^ Long.MIN_VALUE);
            case FLOAT -> {
                int bits = Float.floatToIntBits(row.getFloat(pos));
                out.writeInt(bits ^ ((bits >> 31) | Integer.MIN_VALUE));
            }
            case DOUBLE -> {
                long bits = Double.doubleToLongBits(row.getDouble(pos));
                out.writeLong(bits ^ ((bits >> 63) | Long.MIN_VALUE));
            }
            case DECIMAL_COMPACT ->
                    out.writeLong(
                            row.getDecimal(pos, precision, scale).toUnscaledLong()
                                    ^ Long.MIN_VALUE);
            case DECIMAL_WIDE -> writeWideDecimal(row.getDecimal(pos, precision, scale), out);
            case TIMESTAMP_MILLIS ->
                    out.writeLong(
                            row.getTimestamp(pos, precision).getMillisecond() ^ Long.MIN_VALUE);
            case TIMESTAMP_NANOS -> {
                TimestampData ts = row.getTimestamp(pos, precision);
                out.writeLong(ts.getMillisecond() ^ Long.MIN_VALUE);
                out.writeInt(ts.getNanoOfMillisecond());
            }
            case STRING -> writeEscaped(row.getString(pos), out);
            case BINARY -> {
                byte[] bytes = row.getBinary(pos);
                writeEscaped(bytes, 0, bytes.length, out);
            }
            default -> throw new IllegalStateException("Unhandled kind " + kind);
        }
    }

    private void writeWideDecimal(DecimalData value, ByteWriter out) {
        // |unscaled| < 10^38 < 2^127: 16 bytes of two's complement always suffice.
        BigInteger unscaled =
                value.toBigDecimal().setScale(scale, RoundingMode.HALF_UP).unscaledValue();
        byte[] bytes = unscaled.toByteArray();
        int at = out.skip(16);
        byte[] buf = out.array();
        byte fill = unscaled.signum() < 0 ? (byte) 0xFF : 0;
        int pad = 16 - bytes.length;
        Arrays.fill(buf, at, at + pad, fill);
        System.arraycopy(bytes, 0, buf, at + pad, bytes.length);
        buf[at] ^= (byte) 0x80;
    }

    private static void writeEscaped(StringData s, ByteWriter out) {
        if (s instanceof BinaryStringData binary) {
            MemorySegment[] segments = binary.getSegments();
            if (segments.length == 1 && !segments[0].isOffHeap()) {
                writeEscaped(
                        segments[0].getArray(), binary.getOffset(), binary.getSizeInBytes(), out);
                return;
            }
        }
        byte[] bytes = s.toBytes();
        writeEscaped(bytes, 0, bytes.length, out);
    }

    private static void writeEscaped(byte[] src, int offset, int length, ByteWriter out) {
        out.ensure(2 * length + 2);
        byte[] buf = out.array();
        int p = out.length();
        for (int i = offset, end = offset + length; i < end; i++) {
            byte b = src[i];
            buf[p++] = b;
            if (b == 0) {
                buf[p++] = (byte) 0xFF;
            }
        }
        buf[p++] = 0;
        buf[p++] = 0;
        out.setLength(p);
    }
}
