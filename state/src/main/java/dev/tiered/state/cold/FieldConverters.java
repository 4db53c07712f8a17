package dev.tiered.state.cold;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

import org.apache.parquet.column.Dictionary;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;

/**
 * Parquet converters that put one column's values into a {@link ReusableRow} in Flink's internal
 * format: the read side of {@link FieldWriter}. Primitive values go in unboxed; strings of a
 * dictionary-encoded page are decoded once per dictionary, not once per row.
 */
final class FieldConverters {
    private FieldConverters() {}

    /** A converter for a column of the given Flink type, written as {@link ParquetSchemas} maps. */
    static PrimitiveConverter create(LogicalType type, ReusableRow row, int pos) {
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> new StringConverter(row, pos);
            case BINARY, VARBINARY -> new BytesConverter(row, pos);
            case BOOLEAN ->
                    new PrimitiveConverter() {
                        @Override
                        public void addBoolean(boolean value) {
                            row.setBoolean(pos, value);
                        }
                    };
            case TINYINT, SMALLINT, INTEGER, DATE, BIGINT ->
                    new PrimitiveConverter() {
                        @Override
                        public void addInt(int value) {
                            row.setInt(pos, value);
                        }

                        @Override
                        public void addLong(long value) {
                            row.setLong(pos, value);
                        }
                    };
            case FLOAT ->
                    new PrimitiveConverter() {
                        @Override
                        public void addFloat(float value) {
                            row.setFloat(pos, value);
                        }
                    };
            case DOUBLE ->
                    new PrimitiveConverter() {
                        @Override
                        public void addDouble(double value) {
                            row.setDouble(pos, value);
                        }
                    };
            case DECIMAL -> new DecimalConverter((DecimalType) type, row, pos);
            case TIME_WITHOUT_TIME_ZONE -> timeConverter(ParquetSchemas.timeUnit(type), row, pos);
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> {
                TimeUnit unit = ParquetSchemas.timeUnit(type);
                yield new PrimitiveConverter() {
                    @Override
                    public void addLong(long value) {
                        row.setObject(pos, ParquetValues.decodeTimestamp(value, unit));
                    }
                };
            }
            default ->
                    throw new IllegalArgumentException(
                            "Cannot read type "
                                    + type.asSummaryString()
                                    + " from Parquet: not supported");
        };
    }

    private static PrimitiveConverter timeConverter(TimeUnit unit, ReusableRow row, int pos) {
        return new PrimitiveConverter() {
            @Override
            public void addInt(int value) {
                row.setInt(pos, value);
            }

            @Override
            public void addLong(long value) {
                row.setInt(pos, ParquetValues.decodeTime(value, unit));
            }
        };
    }

    /**
     * A converter that also takes a string as a slice of bytes it may keep: {@link
     * FlatColumnReader} hands over PLAIN strings this way, as views of a page's values that nothing
     * else writes to, without a {@link Binary} and a copy per value.
     */
    interface StringSliceConverter {
        /**
         * @param bytes one segment holding the value's UTF-8 bytes; never changed afterwards
         */
        void addString(MemorySegment[] bytes, int offset, int length);
    }

    /**
     * Strings: one {@link StringData} per dictionary entry, shared by the rows that use it; a PLAIN
     * string from {@link FlatColumnReader} is a view of its page's bytes.
     */
    private static final class StringConverter extends PrimitiveConverter
            implements StringSliceConverter {
        private final ReusableRow row;
        private final int pos;
        private StringData[] dictionary;

        StringConverter(ReusableRow row, int pos) {
            this.row = row;
            this.pos = pos;
        }

        @Override
        public boolean hasDictionarySupport() {
            return true;
        }

        @Override
        public void setDictionary(Dictionary parquetDictionary) {
            dictionary = new StringData[parquetDictionary.getMaxId() + 1];
            for (int id = 0; id < dictionary.length; id++) {
                dictionary[id] =
                        StringData.fromBytes(parquetDictionary.decodeToBinary(id).getBytes());
            }
        }

        @Override
        public void addValueFromDictionary(int dictionaryId) {
            row.setObject(pos, dictionary[dictionaryId]);
        }

        @Override
        public void addBinary(Binary value) {
            row.setObject(pos, StringData.fromBytes(value.getBytes()));
        }

        @Override
        public void addString(MemorySegment[] bytes, int offset, int length) {
            row.setObject(pos, BinaryStringData.fromAddress(bytes, offset, length));
        }
    }

    /** BINARY/VARBINARY: a fresh array per value (Flink treats byte[] fields as immutable). */
    private static final class BytesConverter extends PrimitiveConverter {
        private final ReusableRow row;
        private final int pos;

        BytesConverter(ReusableRow row, int pos) {
            this.row = row;
            this.pos = pos;
        }

        @Override
        public void addBinary(Binary value) {
            row.setObject(pos, value.getBytes());
        }
    }

    private static final class DecimalConverter extends PrimitiveConverter {
        private final ReusableRow row;
        private final int pos;
        private final int precision;
        private final int scale;

        DecimalConverter(DecimalType type, ReusableRow row, int pos) {
            this.row = row;
            this.pos = pos;
            this.precision = type.getPrecision();
            this.scale = type.getScale();
        }

        @Override
        public void addInt(int value) {
            addLong(value);
        }

        @Override
        public void addLong(long value) {
            row.setObject(pos, DecimalData.fromUnscaledLong(value, precision, scale));
        }

        @Override
        public void addBinary(Binary value) {
            row.setObject(pos, DecimalData.fromUnscaledBytes(value.getBytes(), precision, scale));
        }
    }
}
