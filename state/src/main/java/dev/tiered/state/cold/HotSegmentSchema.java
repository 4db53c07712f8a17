package dev.tiered.state.cold;

import dev.tiered.state.Column;
import dev.tiered.state.TableDefinition;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.util.Utf8;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Avro schema of hot segments and the encoding of each column (docs/storage-format.md "Hot
 * segments"): {@code _scope} (nullable string: the user id, null for the shared scope), {@code
 * _seq} (long), {@code _op} (int: {@link dev.tiered.state.ChangeOp#code()}), then every table
 * column as a union {@code ["null", T]}. Values are encoded as in cold batches (TIMESTAMP in the
 * unit of its precision, DECIMAL as its unscaled value), so a value a hot segment accepts is one a
 * batch accepts. Each column field carries its column id and Flink type as properties.
 */
final class HotSegmentSchema {
    static final String SCOPE = "_scope";
    static final String SEQ = "_seq";
    static final String OP = "_op";
    static final String PROP_COLUMN_ID = "tiered.column_id";
    static final String PROP_FLINK_TYPE = "tiered.flink_type";

    private HotSegmentSchema() {}

    static Schema schema(TableDefinition table) {
        List<Schema.Field> fields = new ArrayList<>();
        fields.add(new Schema.Field(SCOPE, nullable(Schema.create(Schema.Type.STRING))));
        fields.add(new Schema.Field(SEQ, Schema.create(Schema.Type.LONG)));
        fields.add(new Schema.Field(OP, Schema.create(Schema.Type.INT)));
        for (Column column : table.columns()) {
            Schema.Field field = new Schema.Field(column.name(), nullable(valueSchema(column)));
            field.addProp(PROP_COLUMN_ID, column.id());
            field.addProp(PROP_FLINK_TYPE, column.type().asSerializableString());
            fields.add(field);
        }
        return Schema.createRecord("hot_segment", null, "dev.tiered", false, fields);
    }

    private static Schema nullable(Schema schema) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
    }

    private static Schema valueSchema(Column column) {
        LogicalType type = column.type();
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> Schema.create(Schema.Type.STRING);
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case BINARY, VARBINARY -> Schema.create(Schema.Type.BYTES);
            case DECIMAL -> {
                DecimalType decimal = (DecimalType) type;
                yield decimal.getPrecision() <= 18
                        ? Schema.create(Schema.Type.LONG) // the unscaled value
                        : LogicalTypes.decimal(decimal.getPrecision(), decimal.getScale())
                                .addToSchema(Schema.create(Schema.Type.BYTES));
            }
            case TINYINT, SMALLINT, INTEGER -> Schema.create(Schema.Type.INT);
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case TIME_WITHOUT_TIME_ZONE ->
                    LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT));
            case BIGINT -> Schema.create(Schema.Type.LONG);
            case FLOAT -> Schema.create(Schema.Type.FLOAT);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case TIMESTAMP_WITHOUT_TIME_ZONE -> timestamp(type, false);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> timestamp(type, true);
            default ->
                    throw new IllegalArgumentException(
                            "Cannot map column "
                                    + column.name()
                                    + " to a hot segment: type "
                                    + type.asSummaryString()
                                    + " is not supported");
        };
    }

    private static Schema timestamp(LogicalType type, boolean instant) {
        Schema schema = Schema.create(Schema.Type.LONG);
        return switch (ParquetSchemas.timeUnit(type)) {
            case MILLIS ->
                    (instant ? LogicalTypes.timestampMillis() : LogicalTypes.localTimestampMillis())
                            .addToSchema(schema);
            case MICROS ->
                    (instant ? LogicalTypes.timestampMicros() : LogicalTypes.localTimestampMicros())
                            .addToSchema(schema);
            case NANOS ->
                    (instant ? LogicalTypes.timestampNanos() : LogicalTypes.localTimestampNanos())
                            .addToSchema(schema);
        };
    }

    /** Encodes, decodes and skips the non-null values of one column. */
    interface ValueCodec {
        void write(Encoder out, RowData row, int pos) throws IOException;

        void read(Decoder in, ReusableRow row, int pos) throws IOException;

        void skip(Decoder in) throws IOException;
    }

    static ValueCodec codec(LogicalType type) {
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> new StringCodec();
            case BINARY, VARBINARY -> new BytesCodec();
            case BOOLEAN -> new BooleanCodec();
            case TINYINT, SMALLINT, INTEGER, DATE, TIME_WITHOUT_TIME_ZONE ->
                    new IntCodec(type.getTypeRoot());
            case BIGINT -> new LongCodec();
            case FLOAT -> new FloatCodec();
            case DOUBLE -> new DoubleCodec();
            case DECIMAL -> new DecimalCodec((DecimalType) type);
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    new TimestampCodec(type);
            default ->
                    throw new IllegalArgumentException(
                            "Cannot encode type " + type.asSummaryString() + ": not supported");
        };
    }

    private static final class BooleanCodec implements ValueCodec {
        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            out.writeBoolean(row.getBoolean(pos));
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setBoolean(pos, in.readBoolean());
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.readBoolean();
        }
    }

    private static final class LongCodec implements ValueCodec {
        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            out.writeLong(row.getLong(pos));
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setLong(pos, in.readLong());
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.readLong();
        }
    }

    private static final class FloatCodec implements ValueCodec {
        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            out.writeFloat(row.getFloat(pos));
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setFloat(pos, in.readFloat());
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.readFloat();
        }
    }

    private static final class DoubleCodec implements ValueCodec {
        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            out.writeDouble(row.getDouble(pos));
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setDouble(pos, in.readDouble());
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.readDouble();
        }
    }

    /** Strings are Avro strings: a length and UTF-8 bytes. */
    private static final class StringCodec implements ValueCodec {
        private final Utf8 buffer = new Utf8();

        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            byte[] bytes = row.getString(pos).toBytes();
            out.writeBytes(bytes, 0, bytes.length); // same encoding as writeString
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            Utf8 utf8 = in.readString(buffer);
            row.setObject(
                    pos,
                    StringData.fromBytes(Arrays.copyOf(utf8.getBytes(), utf8.getByteLength())));
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.skipString();
        }
    }

    private static final class BytesCodec implements ValueCodec {
        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            byte[] bytes = row.getBinary(pos);
            out.writeBytes(bytes, 0, bytes.length);
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setObject(pos, in.readBytes(null).array());
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.skipBytes();
        }
    }

    private static final class IntCodec implements ValueCodec {
        private final org.apache.flink.table.types.logical.LogicalTypeRoot root;

        IntCodec(org.apache.flink.table.types.logical.LogicalTypeRoot root) {
            this.root = root;
        }

        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            out.writeInt(
                    switch (root) {
                        case TINYINT -> row.getByte(pos);
                        case SMALLINT -> row.getShort(pos);
                        default -> row.getInt(pos);
                    });
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setInt(pos, in.readInt());
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.readInt();
        }
    }

    /** DECIMAL(p ≤ 18) as its unscaled long, wider ones as unscaled big-endian bytes. */
    private static final class DecimalCodec implements ValueCodec {
        private final int precision;
        private final int scale;

        DecimalCodec(DecimalType type) {
            this.precision = type.getPrecision();
            this.scale = type.getScale();
        }

        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            DecimalData value = row.getDecimal(pos, precision, scale);
            if (precision <= 18) {
                out.writeLong(value.toUnscaledLong());
            } else {
                byte[] bytes = value.toUnscaledBytes();
                out.writeBytes(bytes, 0, bytes.length);
            }
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setObject(
                    pos,
                    precision <= 18
                            ? DecimalData.fromUnscaledLong(in.readLong(), precision, scale)
                            : DecimalData.fromUnscaledBytes(
                                    in.readBytes(null).array(), precision, scale));
        }

        @Override
        public void skip(Decoder in) throws IOException {
            if (precision <= 18) {
                in.readLong();
            } else {
                in.skipBytes();
            }
        }
    }

    /** Timestamps as the long of their unit, exactly as cold batches store them. */
    private static final class TimestampCodec implements ValueCodec {
        private final int precision;
        private final TimeUnit unit;

        TimestampCodec(LogicalType type) {
            this.precision = LogicalTypeChecks.getPrecision(type);
            this.unit = ParquetSchemas.timeUnit(type);
        }

        @Override
        public void write(Encoder out, RowData row, int pos) throws IOException {
            out.writeLong(ParquetValues.encodeTimestamp(row.getTimestamp(pos, precision), unit));
        }

        @Override
        public void read(Decoder in, ReusableRow row, int pos) throws IOException {
            row.setObject(pos, ParquetValues.decodeTimestamp(in.readLong(), unit));
        }

        @Override
        public void skip(Decoder in) throws IOException {
            in.readLong();
        }
    }
}
