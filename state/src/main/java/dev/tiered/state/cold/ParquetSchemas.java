package dev.tiered.state.cold;

import dev.tiered.state.Column;
import dev.tiered.state.TableDefinition;

import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schemas of cold batches and the mapping of each supported Flink type to a Parquet
 * type that other engines read natively (DESIGN §3, docs/storage-format.md "Cold batches"):
 *
 * <pre>
 * CHAR, VARCHAR         BINARY (STRING)
 * BOOLEAN               BOOLEAN
 * BINARY, VARBINARY     BINARY
 * DECIMAL(p, s)         INT32 (p ≤ 9), INT64 (p ≤ 18), FIXED_LEN_BYTE_ARRAY (p > 18); DECIMAL(p, s)
 * TINYINT, SMALLINT     INT32 INT(8, true), INT32 INT(16, true)
 * INT, BIGINT           INT32, INT64
 * FLOAT, DOUBLE         FLOAT, DOUBLE
 * DATE                  INT32 DATE
 * TIME(p)               INT32 TIME(MILLIS) (p ≤ 3), INT64 TIME(MICROS) (p ≤ 6), INT64 TIME(NANOS)
 * TIMESTAMP(p)          INT64 TIMESTAMP(MILLIS | MICROS | NANOS by p, isAdjustedToUTC = false)
 * TIMESTAMP_LTZ(p)      INT64 TIMESTAMP(MILLIS | MICROS | NANOS by p, isAdjustedToUTC = true)
 * </pre>
 *
 * Every column carries its table column id as the Parquet field id, so that files stay readable
 * after a column is renamed.
 */
final class ParquetSchemas {
    /** The version order of a change (INT64, required). */
    static final String SEQ = "_seq";

    /** Whether a batch row is a tombstone (BOOLEAN, required). */
    static final String DELETED = "_deleted";

    /** Key-value metadata of every file we write. */
    static final String META_TABLE = "tiered.table_id";

    static final String META_SCHEMA_VERSION = "tiered.schema_version";
    static final String META_KIND = "tiered.file_kind";
    static final String META_FORMAT_VERSION = "tiered.format_version";
    static final String FORMAT_VERSION = "1";

    private ParquetSchemas() {}

    /**
     * The schema of a cold batch: the table's columns in order, then {@code _seq} and {@code
     * _deleted}. The primary key is REQUIRED; every other column is OPTIONAL, even when the table
     * declares it NOT NULL, because a tombstone holds only its key.
     */
    static MessageType batchSchema(TableDefinition table) {
        int keyIndex = table.primaryKeyIndex();
        if (keyIndex < 0) {
            throw new IllegalArgumentException(
                    "Cannot write batch of table "
                            + table.tableId()
                            + ": it has no primary key (STREAM tables are never flushed)");
        }
        Types.MessageTypeBuilder builder = Types.buildMessage();
        for (int i = 0; i < table.columns().size(); i++) {
            Type.Repetition repetition =
                    i == keyIndex ? Type.Repetition.REQUIRED : Type.Repetition.OPTIONAL;
            builder.addField(columnType(table.columns().get(i), repetition));
        }
        builder.addField(Types.required(PrimitiveTypeName.INT64).named(SEQ));
        builder.addField(Types.required(PrimitiveTypeName.BOOLEAN).named(DELETED));
        return builder.named("tiered_batch");
    }

    /** The Parquet type of one table column. */
    static PrimitiveType columnType(Column column, Type.Repetition repetition) {
        LogicalType type = column.type();
        Types.PrimitiveBuilder<PrimitiveType> builder =
                switch (type.getTypeRoot()) {
                    case CHAR, VARCHAR ->
                            Types.primitive(PrimitiveTypeName.BINARY, repetition)
                                    .as(LogicalTypeAnnotation.stringType());
                    case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, repetition);
                    case BINARY, VARBINARY -> Types.primitive(PrimitiveTypeName.BINARY, repetition);
                    case DECIMAL -> decimal((DecimalType) type, repetition);
                    case TINYINT ->
                            Types.primitive(PrimitiveTypeName.INT32, repetition)
                                    .as(LogicalTypeAnnotation.intType(8, true));
                    case SMALLINT ->
                            Types.primitive(PrimitiveTypeName.INT32, repetition)
                                    .as(LogicalTypeAnnotation.intType(16, true));
                    case INTEGER -> Types.primitive(PrimitiveTypeName.INT32, repetition);
                    case BIGINT -> Types.primitive(PrimitiveTypeName.INT64, repetition);
                    case FLOAT -> Types.primitive(PrimitiveTypeName.FLOAT, repetition);
                    case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, repetition);
                    case DATE ->
                            Types.primitive(PrimitiveTypeName.INT32, repetition)
                                    .as(LogicalTypeAnnotation.dateType());
                    case TIME_WITHOUT_TIME_ZONE -> time(type, repetition);
                    case TIMESTAMP_WITHOUT_TIME_ZONE -> timestamp(type, false, repetition);
                    case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> timestamp(type, true, repetition);
                    default ->
                            throw new IllegalArgumentException(
                                    "Cannot map column "
                                            + column.name()
                                            + " to Parquet: type "
                                            + type.asSummaryString()
                                            + " is not supported");
                };
        return builder.id(column.id()).named(column.name());
    }

    /** The unit a TIME or TIMESTAMP of this precision is stored in. */
    static TimeUnit timeUnit(LogicalType type) {
        int precision = LogicalTypeChecks.getPrecision(type);
        if (precision <= 3) {
            return TimeUnit.MILLIS;
        }
        return precision <= 6 ? TimeUnit.MICROS : TimeUnit.NANOS;
    }

    /** Bytes of a FIXED_LEN_BYTE_ARRAY that hold every unscaled value of the precision. */
    static int decimalByteLength(int precision) {
        int bytes = 1;
        while (Math.pow(2.0, 8 * bytes - 1) < Math.pow(10.0, precision)) {
            bytes++;
        }
        return bytes;
    }

    private static Types.PrimitiveBuilder<PrimitiveType> decimal(
            DecimalType type, Type.Repetition repetition) {
        int precision = type.getPrecision();
        LogicalTypeAnnotation annotation =
                LogicalTypeAnnotation.decimalType(type.getScale(), precision);
        if (precision <= 9) {
            return Types.primitive(PrimitiveTypeName.INT32, repetition).as(annotation);
        }
        if (precision <= 18) {
            return Types.primitive(PrimitiveTypeName.INT64, repetition).as(annotation);
        }
        return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
                .length(decimalByteLength(precision))
                .as(annotation);
    }

    private static Types.PrimitiveBuilder<PrimitiveType> time(
            LogicalType type, Type.Repetition repetition) {
        TimeUnit unit = timeUnit(type);
        PrimitiveTypeName physical =
                unit == TimeUnit.MILLIS ? PrimitiveTypeName.INT32 : PrimitiveTypeName.INT64;
        return Types.primitive(physical, repetition)
                .as(LogicalTypeAnnotation.timeType(false, unit));
    }

    private static Types.PrimitiveBuilder<PrimitiveType> timestamp(
            LogicalType type, boolean adjustedToUtc, Type.Repetition repetition) {
        return Types.primitive(PrimitiveTypeName.INT64, repetition)
                .as(LogicalTypeAnnotation.timestampType(adjustedToUtc, timeUnit(type)));
    }
}
