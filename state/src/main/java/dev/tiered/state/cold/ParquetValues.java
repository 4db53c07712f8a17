package dev.tiered.state.cold;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Conversions of single values between Flink's internal data format (what {@code RowData} holds:
 * {@link StringData}, {@link DecimalData}, {@link TimestampData}, {@code Integer} days for DATE and
 * millis of day for TIME, ...) and Parquet's (the {@code Integer}, {@code Long}, {@code Float},
 * {@code Double}, {@code Boolean} or {@link Binary} that statistics, filters and bloom filters
 * use), and the canonical text form of a value that manifests store. Stateless and thread-safe.
 */
final class ParquetValues {
    private static final long MICROS_PER_MILLI = 1_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private ParquetValues() {}

    /** The message for a value {@link #encodeTimestamp} cannot hold. */
    static String outOfRange(String column) {
        return "Cannot write column "
                + column
                + ": value out of range (TIMESTAMP(7..9) values must lie within"
                + " 1677-09-21..2262-04-11)";
    }

    /** A timestamp as the INT64 of the unit; throws if it does not fit (NANOS: 1677..2262). */
    static long encodeTimestamp(TimestampData value, TimeUnit unit) {
        long millis = value.getMillisecond();
        int nanoOfMilli = value.getNanoOfMillisecond();
        return switch (unit) {
            case MILLIS -> millis;
            case MICROS ->
                    Math.addExact(
                            Math.multiplyExact(millis, MICROS_PER_MILLI), nanoOfMilli / 1_000);
            case NANOS -> Math.addExact(Math.multiplyExact(millis, NANOS_PER_MILLI), nanoOfMilli);
        };
    }

    static TimestampData decodeTimestamp(long value, TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> TimestampData.fromEpochMillis(value);
            case MICROS ->
                    TimestampData.fromEpochMillis(
                            Math.floorDiv(value, MICROS_PER_MILLI),
                            (int) Math.floorMod(value, MICROS_PER_MILLI) * 1_000);
            case NANOS ->
                    TimestampData.fromEpochMillis(
                            Math.floorDiv(value, NANOS_PER_MILLI),
                            (int) Math.floorMod(value, NANOS_PER_MILLI));
        };
    }

    /** A TIME (Flink: millis of day) as the value of the unit; MILLIS is stored as INT32. */
    static long encodeTime(int millisOfDay, TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> millisOfDay;
            case MICROS -> millisOfDay * MICROS_PER_MILLI;
            case NANOS -> millisOfDay * NANOS_PER_MILLI;
        };
    }

    static int decodeTime(long value, TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> (int) value;
            case MICROS -> (int) (value / MICROS_PER_MILLI);
            case NANOS -> (int) (value / NANOS_PER_MILLI);
        };
    }

    /**
     * Writes the unscaled value as big-endian two's complement, sign-extended to fill {@code
     * target} (a FIXED_LEN_BYTE_ARRAY decimal).
     */
    static void encodeDecimalBytes(DecimalData value, byte[] target) {
        byte[] unscaled = value.toUnscaledBytes();
        int pad = target.length - unscaled.length;
        if (pad < 0) {
            throw new IllegalArgumentException(
                    "Cannot encode decimal " + value + " in " + target.length + " bytes");
        }
        byte sign = unscaled.length > 0 && unscaled[0] < 0 ? (byte) -1 : 0;
        for (int i = 0; i < pad; i++) {
            target[i] = sign;
        }
        System.arraycopy(unscaled, 0, target, pad, unscaled.length);
    }

    /** A Flink internal value as Parquet's statistics and bloom filters see it; null stays null. */
    static Object toParquet(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> Binary.fromConstantByteArray(((StringData) value).toBytes());
            case BINARY, VARBINARY -> Binary.fromConstantByteArray((byte[]) value);
            case BOOLEAN, INTEGER, DATE, BIGINT, FLOAT, DOUBLE -> value;
            case TINYINT -> (int) (Byte) value;
            case SMALLINT -> (int) (Short) value;
            case DECIMAL -> decimalToParquet((DecimalData) value, (DecimalType) type);
            case TIME_WITHOUT_TIME_ZONE -> {
                TimeUnit unit = ParquetSchemas.timeUnit(type);
                long encoded = encodeTime((Integer) value, unit);
                yield unit == TimeUnit.MILLIS ? (Object) (int) encoded : (Object) encoded;
            }
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    encodeTimestamp((TimestampData) value, ParquetSchemas.timeUnit(type));
            default -> throw unsupported(type);
        };
    }

    /** A Parquet value (statistics) as Flink's internal value; null stays null. */
    static Object fromParquet(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> StringData.fromBytes(((Binary) value).getBytes());
            case BINARY, VARBINARY -> ((Binary) value).getBytes();
            case BOOLEAN, INTEGER, DATE, BIGINT, FLOAT, DOUBLE -> value;
            case TINYINT -> (byte) (int) (Integer) value;
            case SMALLINT -> (short) (int) (Integer) value;
            case DECIMAL -> decimalFromParquet(value, (DecimalType) type);
            case TIME_WITHOUT_TIME_ZONE ->
                    decodeTime(((Number) value).longValue(), ParquetSchemas.timeUnit(type));
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    decodeTimestamp((Long) value, ParquetSchemas.timeUnit(type));
            default -> throw unsupported(type);
        };
    }

    /**
     * The canonical text of a Flink internal value, as manifests store statistics: strings as they
     * are, BINARY as Base64, numbers and DECIMAL in plain decimal notation, BOOLEAN as {@code
     * true}/{@code false}, DATE/TIME/TIMESTAMP in ISO-8601 ({@code 2024-05-01}, {@code
     * 10:15:30.25}, {@code 2024-05-01T10:15:30.123456}), TIMESTAMP_LTZ as an ISO instant ({@code
     * ...Z}). {@link #fromText} reads it back exactly.
     */
    static String toText(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case BINARY, VARBINARY -> Base64.getEncoder().encodeToString((byte[]) value);
            case DECIMAL -> ((DecimalData) value).toBigDecimal().toPlainString();
            case DATE -> LocalDate.ofEpochDay((Integer) value).toString();
            case TIME_WITHOUT_TIME_ZONE ->
                    DateTimeFormatter.ISO_LOCAL_TIME.format(
                            LocalTime.ofNanoOfDay((Integer) value * NANOS_PER_MILLI));
            case TIMESTAMP_WITHOUT_TIME_ZONE ->
                    DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                            ((TimestampData) value).toLocalDateTime());
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> ((TimestampData) value).toInstant().toString();
            default -> value.toString();
        };
    }

    /** Reads the text of {@link #toText} back into Flink's internal value. */
    static Object fromText(String text, LogicalType type) {
        if (text == null) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> StringData.fromString(text);
            case BINARY, VARBINARY -> Base64.getDecoder().decode(text);
            case BOOLEAN -> Boolean.parseBoolean(text);
            case TINYINT -> Byte.parseByte(text);
            case SMALLINT -> Short.parseShort(text);
            case INTEGER -> Integer.parseInt(text);
            case BIGINT -> Long.parseLong(text);
            case FLOAT -> Float.parseFloat(text);
            case DOUBLE -> Double.parseDouble(text);
            case DECIMAL ->
                    DecimalData.fromBigDecimal(
                            new BigDecimal(text),
                            ((DecimalType) type).getPrecision(),
                            ((DecimalType) type).getScale());
            case DATE -> (int) LocalDate.parse(text).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE ->
                    (int) (LocalTime.parse(text).toNanoOfDay() / NANOS_PER_MILLI);
            case TIMESTAMP_WITHOUT_TIME_ZONE ->
                    TimestampData.fromLocalDateTime(LocalDateTime.parse(text));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> TimestampData.fromInstant(Instant.parse(text));
            default -> throw unsupported(type);
        };
    }

    private static Object decimalToParquet(DecimalData value, DecimalType type) {
        if (value.scale() != type.getScale()) {
            throw new IllegalArgumentException(
                    "Cannot compare decimal " + value + " with a column of type " + type);
        }
        if (type.getPrecision() <= 9) {
            return (int) value.toUnscaledLong();
        }
        if (type.getPrecision() <= 18) {
            return value.toUnscaledLong();
        }
        byte[] bytes = new byte[ParquetSchemas.decimalByteLength(type.getPrecision())];
        encodeDecimalBytes(value, bytes);
        return Binary.fromConstantByteArray(bytes);
    }

    private static DecimalData decimalFromParquet(Object value, DecimalType type) {
        if (value instanceof Binary binary) {
            return DecimalData.fromUnscaledBytes(
                    binary.getBytes(), type.getPrecision(), type.getScale());
        }
        return DecimalData.fromUnscaledLong(
                ((Number) value).longValue(), type.getPrecision(), type.getScale());
    }

    private static IllegalArgumentException unsupported(LogicalType type) {
        return new IllegalArgumentException(
                "Cannot convert values of type " + type.asSummaryString() + ": not supported");
    }
}
