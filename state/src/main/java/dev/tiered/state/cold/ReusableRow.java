package dev.tiered.state.cold;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RawValueData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.flink.types.variant.Variant;

import java.util.Arrays;

/**
 * The row our readers fill and hand out again for every change: primitives live unboxed in a {@code
 * long[]}, everything else ({@link StringData}, {@link DecimalData}, {@link TimestampData}, {@code
 * byte[]}) in an {@code Object[]}. Readers reuse one instance, so a row is valid only until the
 * cursor moves; copy what you keep. Not thread-safe.
 */
final class ReusableRow implements RowData {
    private final long[] primitives;
    private final Object[] objects;
    private final boolean[] nulls;
    private RowKind kind = RowKind.INSERT;

    ReusableRow(int arity) {
        this.primitives = new long[arity];
        this.objects = new Object[arity];
        this.nulls = new boolean[arity];
        Arrays.fill(nulls, true);
    }

    void setNull(int pos) {
        nulls[pos] = true;
        objects[pos] = null;
    }

    void setLong(int pos, long value) {
        primitives[pos] = value;
        nulls[pos] = false;
    }

    void setInt(int pos, int value) {
        setLong(pos, value);
    }

    void setBoolean(int pos, boolean value) {
        setLong(pos, value ? 1 : 0);
    }

    void setFloat(int pos, float value) {
        setLong(pos, Float.floatToRawIntBits(value));
    }

    void setDouble(int pos, double value) {
        setLong(pos, Double.doubleToRawLongBits(value));
    }

    /** Sets a StringData, DecimalData, TimestampData or byte[]; null marks the field null. */
    void setObject(int pos, Object value) {
        objects[pos] = value;
        nulls[pos] = value == null;
    }

    @Override
    public int getArity() {
        return nulls.length;
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
        return nulls[pos];
    }

    @Override
    public boolean getBoolean(int pos) {
        return primitives[pos] != 0;
    }

    @Override
    public byte getByte(int pos) {
        return (byte) primitives[pos];
    }

    @Override
    public short getShort(int pos) {
        return (short) primitives[pos];
    }

    @Override
    public int getInt(int pos) {
        return (int) primitives[pos];
    }

    @Override
    public long getLong(int pos) {
        return primitives[pos];
    }

    @Override
    public float getFloat(int pos) {
        return Float.intBitsToFloat((int) primitives[pos]);
    }

    @Override
    public double getDouble(int pos) {
        return Double.longBitsToDouble(primitives[pos]);
    }

    @Override
    public StringData getString(int pos) {
        return (StringData) objects[pos];
    }

    @Override
    public DecimalData getDecimal(int pos, int precision, int scale) {
        return (DecimalData) objects[pos];
    }

    @Override
    public TimestampData getTimestamp(int pos, int precision) {
        return (TimestampData) objects[pos];
    }

    @Override
    public byte[] getBinary(int pos) {
        return (byte[]) objects[pos];
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
                "Cannot read " + type + " fields: tiered tables do not store them");
    }
}
