package dev.tiered.state.cold;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;

/**
 * Writes one field of a Flink {@link RowData} to a Parquet {@link RecordConsumer}, straight from
 * the row's internal data (no intermediate record). Built once per column and file; holds reusable
 * buffers, so an instance is confined to its writer's thread.
 */
final class FieldWriter {
    private final String name;
    private final int fieldIndex;
    private final int pos;
    private final ValueWriter valueWriter;

    /** Writes the value at {@code pos} of a row; the row is known to be non-null there. */
    @FunctionalInterface
    interface ValueWriter {
        void write(RecordConsumer consumer, RowData row, int pos);
    }

    /**
     * @param name the Parquet field name
     * @param fieldIndex the field's index in the Parquet schema
     * @param pos the field's position in the row
     */
    FieldWriter(String name, int fieldIndex, int pos, LogicalType type) {
        this.name = name;
        this.fieldIndex = fieldIndex;
        this.pos = pos;
        this.valueWriter = valueWriter(type);
    }

    /** Writes the field, or nothing when it is null (Parquet's representation of null). */
    void write(RecordConsumer consumer, RowData row) {
        if (row.isNullAt(pos)) {
            return;
        }
        consumer.startField(name, fieldIndex);
        try {
            valueWriter.write(consumer, row, pos);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(ParquetValues.outOfRange(name), e);
        }
        consumer.endField(name, fieldIndex);
    }

    int pos() {
        return pos;
    }

    static ValueWriter valueWriter(LogicalType type) {
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> (c, row, p) -> c.addBinary(utf8(row.getString(p)));
            case BOOLEAN -> (c, row, p) -> c.addBoolean(row.getBoolean(p));
            case BINARY, VARBINARY ->
                    (c, row, p) -> c.addBinary(Binary.fromReusedByteArray(row.getBinary(p)));
            case DECIMAL -> decimalWriter((DecimalType) type);
            case TINYINT -> (c, row, p) -> c.addInteger(row.getByte(p));
            case SMALLINT -> (c, row, p) -> c.addInteger(row.getShort(p));
            case INTEGER, DATE -> (c, row, p) -> c.addInteger(row.getInt(p));
            case BIGINT -> (c, row, p) -> c.addLong(row.getLong(p));
            case FLOAT -> (c, row, p) -> c.addFloat(row.getFloat(p));
            case DOUBLE -> (c, row, p) -> c.addDouble(row.getDouble(p));
            case TIME_WITHOUT_TIME_ZONE -> timeWriter(ParquetSchemas.timeUnit(type));
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    timestampWriter(type);
            default ->
                    throw new IllegalArgumentException(
                            "Cannot write type "
                                    + type.asSummaryString()
                                    + " to Parquet: not supported");
        };
    }

    /**
     * The string's UTF-8 bytes, in place when they are one slice of a heap segment (a row read from
     * the hot store, a materialized string): {@code toBytes()} would copy them for every row.
     * Parquet copies what it keeps of a reused value (dictionary entries, statistics).
     */
    static Binary utf8(StringData value) {
        if (value instanceof BinaryStringData) {
            BinaryStringData string = (BinaryStringData) value;
            string.ensureMaterialized();
            MemorySegment[] segments = string.getSegments();
            if (segments.length == 1 && !segments[0].isOffHeap()) {
                return Binary.fromReusedByteArray(
                        segments[0].getArray(), string.getOffset(), string.getSizeInBytes());
            }
        }
        return Binary.fromReusedByteArray(value.toBytes());
    }

    private static ValueWriter decimalWriter(DecimalType type) {
        int precision = type.getPrecision();
        int scale = type.getScale();
        if (precision <= 9) {
            return (c, row, p) ->
                    c.addInteger((int) row.getDecimal(p, precision, scale).toUnscaledLong());
        }
        if (precision <= 18) {
            return (c, row, p) -> c.addLong(row.getDecimal(p, precision, scale).toUnscaledLong());
        }
        byte[] buffer = new byte[ParquetSchemas.decimalByteLength(precision)];
        return (c, row, p) -> {
            ParquetValues.encodeDecimalBytes(row.getDecimal(p, precision, scale), buffer);
            c.addBinary(Binary.fromReusedByteArray(buffer));
        };
    }

    private static ValueWriter timeWriter(TimeUnit unit) {
        if (unit == TimeUnit.MILLIS) {
            return (c, row, p) -> c.addInteger(row.getInt(p));
        }
        return (c, row, p) -> c.addLong(ParquetValues.encodeTime(row.getInt(p), unit));
    }

    private static ValueWriter timestampWriter(LogicalType type) {
        int precision = LogicalTypeChecks.getPrecision(type);
        TimeUnit unit = ParquetSchemas.timeUnit(type);
        return (c, row, p) ->
                c.addLong(ParquetValues.encodeTimestamp(row.getTimestamp(p, precision), unit));
    }
}
