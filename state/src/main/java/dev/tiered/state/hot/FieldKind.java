package dev.tiered.state.hot;

import dev.tiered.state.TableDefinition;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/**
 * How the hot tier stores one column type: the physical shape shared by {@link KeyEncoder} and
 * {@link RowCodec}. Covers every type of {@link TableDefinition#SUPPORTED_TYPES}.
 */
enum FieldKind {
    BOOLEAN,
    TINYINT,
    SMALLINT,
    /** INT, DATE (days since epoch) and TIME (millis of day). */
    INT,
    BIGINT,
    FLOAT,
    DOUBLE,
    /** DECIMAL with precision up to 18: the unscaled value fits a long. */
    DECIMAL_COMPACT,
    /** DECIMAL with precision 19..38: the unscaled value fits 128 bits. */
    DECIMAL_WIDE,
    /**
     * TIMESTAMP / TIMESTAMP_LTZ with precision up to 3: epoch millis only, as Flink's binary rows
     * store them.
     */
    TIMESTAMP_MILLIS,
    /** TIMESTAMP / TIMESTAMP_LTZ with precision 4..9: epoch millis and nanos of the milli. */
    TIMESTAMP_NANOS,
    /** CHAR / VARCHAR: UTF-8 bytes. */
    STRING,
    /** BINARY / VARBINARY. */
    BINARY;

    /**
     * @throws IllegalArgumentException for a type tiered tables do not store
     */
    static FieldKind of(LogicalType type) {
        return switch (type.getTypeRoot()) {
            case BOOLEAN -> BOOLEAN;
            case TINYINT -> TINYINT;
            case SMALLINT -> SMALLINT;
            case INTEGER, DATE, TIME_WITHOUT_TIME_ZONE -> INT;
            case BIGINT -> BIGINT;
            case FLOAT -> FLOAT;
            case DOUBLE -> DOUBLE;
            case DECIMAL ->
                    DecimalData.isCompact(LogicalTypeChecks.getPrecision(type))
                            ? DECIMAL_COMPACT
                            : DECIMAL_WIDE;
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    LogicalTypeChecks.getPrecision(type) <= 3 ? TIMESTAMP_MILLIS : TIMESTAMP_NANOS;
            case CHAR, VARCHAR -> STRING;
            case BINARY, VARBINARY -> BINARY;
            default ->
                    throw new IllegalArgumentException(
                            "Cannot store type "
                                    + type.asSummaryString()
                                    + " in the hot tier: not a supported column type");
        };
    }

    /** Precision for DECIMAL and timestamps, 0 otherwise. */
    static int precisionOf(LogicalType type) {
        return switch (of(type)) {
            case DECIMAL_COMPACT, DECIMAL_WIDE, TIMESTAMP_MILLIS, TIMESTAMP_NANOS ->
                    LogicalTypeChecks.getPrecision(type);
            default -> 0;
        };
    }

    /** Scale for DECIMAL, 0 otherwise. */
    static int scaleOf(LogicalType type) {
        return switch (of(type)) {
            case DECIMAL_COMPACT, DECIMAL_WIDE -> LogicalTypeChecks.getScale(type);
            default -> 0;
        };
    }
}
