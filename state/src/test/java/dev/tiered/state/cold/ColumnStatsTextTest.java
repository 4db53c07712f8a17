package dev.tiered.state.cold;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The canonical text a manifest stores for column statistics: the documented form per type, and
 * read back into exactly the Flink internal value.
 */
class ColumnStatsTextTest {

    static Stream<Arguments> values() {
        return Stream.of(
                arguments("STRING", StringData.fromString("zoë"), "zoë"),
                arguments("BOOLEAN", true, "true"),
                arguments("BYTES", new byte[] {0, -1, 16}, "AP8Q"),
                arguments("DECIMAL(10, 2)", dec("-12.30", 10, 2), "-12.30"),
                arguments("DECIMAL(38, 0)", dec("9".repeat(38), 38, 0), "9".repeat(38)),
                arguments("TINYINT", (byte) -128, "-128"),
                arguments("SMALLINT", (short) 32767, "32767"),
                arguments("INT", -7, "-7"),
                arguments("BIGINT", Long.MIN_VALUE, "-9223372036854775808"),
                arguments("FLOAT", 1.5f, "1.5"),
                arguments("DOUBLE", -0.25d, "-0.25"),
                arguments("DATE", (int) LocalDate.parse("2024-05-01").toEpochDay(), "2024-05-01"),
                arguments("TIME(3)", 36_930_250, "10:15:30.25"),
                arguments("TIME(0)", 0, "00:00:00"),
                arguments(
                        "TIMESTAMP(6)",
                        TimestampData.fromLocalDateTime(
                                LocalDateTime.parse("2024-05-01T10:15:30.123456")),
                        "2024-05-01T10:15:30.123456"),
                arguments(
                        "TIMESTAMP(3)",
                        TimestampData.fromLocalDateTime(LocalDateTime.parse("2024-05-01T10:00")),
                        "2024-05-01T10:00:00"),
                arguments(
                        "TIMESTAMP_LTZ(9)",
                        TimestampData.fromInstant(Instant.parse("1969-12-31T23:59:59.999999999Z")),
                        "1969-12-31T23:59:59.999999999Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void textIsCanonicalAndReadsBackExactly(String typeText, Object value, String text) {
        LogicalType type = LogicalTypeParser.parse(typeText, getClass().getClassLoader());
        assertThat(BatchFile.ColumnStats.toText(value, type)).isEqualTo(text);
        BatchFile.ColumnStats stats = new BatchFile.ColumnStats("c", text, text, 0);
        assertThat(stats.minValue(type)).isEqualTo(value);
        assertThat(stats.maxValue(type)).isEqualTo(value);
    }

    private static DecimalData dec(String value, int precision, int scale) {
        return DecimalData.fromBigDecimal(new BigDecimal(value), precision, scale);
    }
}
