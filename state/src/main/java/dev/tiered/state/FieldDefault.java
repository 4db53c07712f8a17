package dev.tiered.state;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The value the sink fills into a non-key column when a row brings null for it ({@code
 * 'fields.<col>.default'}): a fresh {@code SNOWFLAKE_ID()}, the sink's clock {@code NOW()} (UTC),
 * or a constant.
 */
public sealed interface FieldDefault {

    /** The option text this default was parsed from, in canonical form. */
    String text();

    /** A new snowflake id per row; BIGINT columns only. */
    record SnowflakeId() implements FieldDefault {
        @Override
        public String text() {
            return "SNOWFLAKE_ID()";
        }
    }

    /** The sink's clock when it writes the row; TIMESTAMP and TIMESTAMP_LTZ columns only. */
    record Now() implements FieldDefault {
        @Override
        public String text() {
            return "NOW()";
        }
    }

    /**
     * A constant, already converted to Flink's internal data format for the column's type
     * (StringData, DecimalData, TimestampData, boxed primitives; DATE as days, TIME as millis).
     */
    record Literal(String text, Object internalValue) implements FieldDefault {}

    /**
     * Parses a default for a column.
     *
     * @throws TableValidationException if the default cannot fill a column of this type
     */
    static FieldDefault parse(String tableId, Column column, String text) {
        String upper = text.trim().toUpperCase(Locale.ROOT);
        LogicalType type = column.type();
        LogicalTypeRoot root = type.getTypeRoot();
        if (upper.equals("SNOWFLAKE_ID()")) {
            if (root != LogicalTypeRoot.BIGINT) {
                throw invalid(tableId, column, "SNOWFLAKE_ID() fills BIGINT columns only");
            }
            return new SnowflakeId();
        }
        if (upper.equals("NOW()")) {
            if (root != LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE
                    && root != LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
                throw invalid(
                        tableId, column, "NOW() fills TIMESTAMP and TIMESTAMP_LTZ columns only");
            }
            return new Now();
        }
        try {
            return new Literal(text, literalValue(type, text));
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw invalid(
                    tableId, column, "'" + text + "' is not a valid " + type.asSummaryString());
        }
    }

    private static Object literalValue(LogicalType type, String text) {
        String trimmed = text.trim();
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                int length = LogicalTypeChecks.getLength(type);
                if (text.length() > length) {
                    throw new NumberFormatException("too long");
                }
                return StringData.fromString(text);
            case BOOLEAN:
                return switch (trimmed.toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new NumberFormatException(trimmed);
                };
            case TINYINT:
                return Byte.parseByte(trimmed);
            case SMALLINT:
                return Short.parseShort(trimmed);
            case INTEGER:
                return Integer.parseInt(trimmed);
            case BIGINT:
                return Long.parseLong(trimmed);
            case FLOAT:
                return Float.parseFloat(trimmed);
            case DOUBLE:
                return Double.parseDouble(trimmed);
            case DECIMAL:
                DecimalType decimal = (DecimalType) type;
                DecimalData value =
                        DecimalData.fromBigDecimal(
                                new BigDecimal(trimmed),
                                decimal.getPrecision(),
                                decimal.getScale());
                if (value == null) {
                    throw new ArithmeticException("overflow");
                }
                return value;
            case DATE:
                return (int) LocalDate.parse(trimmed).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return (int) (LocalTime.parse(trimmed).toNanoOfDay() / 1_000_000L);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return TimestampData.fromLocalDateTime(
                        LocalDateTime.parse(trimmed.replace(' ', 'T')));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return TimestampData.fromInstant(
                        trimmed.endsWith("Z")
                                ? Instant.parse(trimmed)
                                : LocalDateTime.parse(trimmed.replace(' ', 'T'))
                                        .toInstant(ZoneOffset.UTC));
            default:
                throw new NumberFormatException("no literal form");
        }
    }

    private static TableValidationException invalid(String tableId, Column column, String reason) {
        return new TableValidationException(
                "Cannot set default of column '"
                        + column.name()
                        + "' in table "
                        + tableId
                        + ": "
                        + reason);
    }
}
