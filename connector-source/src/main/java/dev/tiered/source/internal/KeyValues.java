package dev.tiered.source.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * Turns key bounds given by users as plain Java values (Long, Integer, String, BigDecimal,
 * LocalDate, LocalDateTime, Instant) into Flink internal values of the key type.
 */
@Internal
public final class KeyValues {
    private KeyValues() {}

    /**
     * @throws IllegalArgumentException if the value cannot be a value of {@code type}
     */
    public static Object toInternal(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                if (value instanceof String s) {
                    return StringData.fromString(s);
                }
                break;
            case TINYINT:
                if (value instanceof Number n) {
                    return n.byteValue();
                }
                break;
            case SMALLINT:
                if (value instanceof Number n) {
                    return n.shortValue();
                }
                break;
            case INTEGER:
                if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return ((Number) value).intValue();
                }
                break;
            case DATE:
                if (value instanceof LocalDate d) {
                    return (int) d.toEpochDay();
                }
                break;
            case BIGINT:
                if (value instanceof Long || value instanceof Integer) {
                    return ((Number) value).longValue();
                }
                break;
            case DECIMAL:
                if (value instanceof BigDecimal d) {
                    return DecimalData.fromBigDecimal(
                            d,
                            LogicalTypeChecks.getPrecision(type),
                            LogicalTypeChecks.getScale(type));
                }
                break;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                if (value instanceof LocalDateTime t) {
                    return TimestampData.fromLocalDateTime(t);
                }
                break;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                if (value instanceof Instant t) {
                    return TimestampData.fromInstant(t);
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException(
                "Cannot use "
                        + value
                        + " ("
                        + value.getClass().getSimpleName()
                        + ") as a bound of a "
                        + type.asSummaryString()
                        + " key");
    }
}
