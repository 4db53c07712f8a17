package dev.tiered.state.hot;

import dev.tiered.state.TableDefinition;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.util.Arrays;
import java.util.List;

/**
 * The compact binary form of a row of one table's row type, as the hot store keeps it: a null
 * bitmap ({@code ceil(arity / 8)} bytes, bit set = null), then each non-null field in column order.
 * No schema travels with a row: the reader knows the row type.
 *
 * <p>Field shapes (big-endian): BOOLEAN and TINYINT 1 byte, SMALLINT 2, INT/DATE/TIME and FLOAT 4,
 * BIGINT and DOUBLE 8, DECIMAL up to precision 18 the unscaled long (8), wider DECIMAL a varint
 * length and the unscaled two's complement bytes, TIMESTAMP/TIMESTAMP_LTZ epoch millis (8) plus,
 * above precision 3, the nanos of the milli (4), strings and binaries a varint length and the
 * bytes. Covers every type of {@link TableDefinition#SUPPORTED_TYPES}; {@link HotRow} reads it
 * back. Immutable and thread-safe.
 */
final class RowCodec {
    private final FieldKind[] kinds;
    private final int[] precisions;
    private final int[] scales;
    private final int bitmapBytes;

    RowCodec(RowType rowType) {
        List<LogicalType> types = rowType.getChildren();
        int arity = types.size();
        this.kinds = new FieldKind[arity];
        this.precisions = new int[arity];
        this.scales = new int[arity];
        for (int i = 0; i < arity; i++) {
            kinds[i] = FieldKind.of(types.get(i));
            precisions[i] = FieldKind.precisionOf(types.get(i));
            scales[i] = FieldKind.scaleOf(types.get(i));
        }
        this.bitmapBytes = (arity + 7) / 8;
    }

    int arity() {
        return kinds.length;
    }

    int bitmapBytes() {
        return bitmapBytes;
    }

    FieldKind kind(int field) {
        return kinds[field];
    }

    int precision(int field) {
        return precisions[field];
    }

    int scale(int field) {
        return scales[field];
    }

    /**
     * Appends the encoding of {@code row} to {@code out}.
     *
     * @throws IllegalArgumentException if the row's arity is not the row type's
     */
    void encode(RowData row, ByteWriter out) {
        checkArity(row);
        int bitmap = out.skip(bitmapBytes);
        byte[] buf = out.array();
        Arrays.fill(buf, bitmap, bitmap + bitmapBytes, (byte) 0);
        for (int i = 0; i < kinds.length; i++) {
            if (row.isNullAt(i)) {
                // The array may have grown since skip(); write through the current one.
                out.array()[bitmap + (i >>> 3)] |= (byte) (1 << (i & 7));
            } else {
                writeField(row, i, out);
            }
        }
    }

    /**
     * Appends the encoding of a row that holds only field {@code keyField} of {@code row} (every
     * other field null): the body of a tombstone.
     */
    void encodeOnly(RowData row, int keyField, ByteWriter out) {
        checkArity(row);
        int bitmap = out.skip(bitmapBytes);
        byte[] buf = out.array();
        Arrays.fill(buf, bitmap, bitmap + bitmapBytes, (byte) 0xFF);
        buf[bitmap + (keyField >>> 3)] &= (byte) ~(1 << (keyField & 7));
        writeField(row, keyField, out);
    }

    private void writeField(RowData row, int i, ByteWriter out) {
        switch (kinds[i]) {
            case BOOLEAN -> out.writeByte(row.getBoolean(i) ? 1 : 0);
            case TINYINT -> out.writeByte(row.getByte(i));
            case SMALLINT -> out.writeShort(row.getShort(i));
            case INT -> out.writeInt(row.getInt(i));
            case BIGINT -> out.writeLong(row.getLong(i));
            case FLOAT -> out.writeInt(Float.floatToRawIntBits(row.getFloat(i)));
            case DOUBLE -> out.writeLong(Double.doubleToRawLongBits(row.getDouble(i)));
            case DECIMAL_COMPACT ->
                    out.writeLong(row.getDecimal(i, precisions[i], scales[i]).toUnscaledLong());
            case DECIMAL_WIDE -> {
                byte[] unscaled = row.getDecimal(i, precisions[i], scales[i]).toUnscaledBytes();
                out.writeVarInt(unscaled.length);
                out.writeBytes(unscaled, 0, unscaled.length);
            }
            case TIMESTAMP_MILLIS ->
                    out.writeLong(row.getTimestamp(i, precisions[i]).getMillisecond());
            case TIMESTAMP_NANOS -> {
                TimestampData ts = row.getTimestamp(i, precisions[i]);
                out.writeLong(ts.getMillisecond());
                out.writeInt(ts.getNanoOfMillisecond());
            }
            case STRING -> out.writeString(row.getString(i));
            case BINARY -> {
                byte[] bytes = row.getBinary(i);
                out.writeVarInt(bytes.length);
                out.writeBytes(bytes, 0, bytes.length);
            }
            default -> throw new IllegalStateException("Unhandled kind " + kinds[i]);
        }
    }

    private void checkArity(RowData row) {
        if (row.getArity() != kinds.length) {
            throw new IllegalArgumentException(
                    "Cannot encode row: arity "
                            + row.getArity()
                            + " does not match the table's "
                            + kinds.length
                            + " columns");
        }
    }
}
