package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.PrimitiveType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every supported type maps to the Parquet type other engines read natively, and every value, nulls
 * and extremes included, reads back equal in Flink's internal format.
 */
class ParquetTypeMappingTest {
    @TempDir java.nio.file.Path dir;

    /** Every case: type, Parquet physical type, logical annotation, values (then a null). */
    static Stream<Arguments> types() {
        return Stream.of(textAndBinary(), numbers(), temporal()).flatMap(s -> s);
    }

    /** Strings, BOOLEAN and bytes. */
    static Stream<Arguments> textAndBinary() {
        return Stream.of(
                arguments("CHAR(3)", "BINARY", "STRING", values(s("abc"), s("é€z"))),
                arguments(
                        "STRING",
                        "BINARY",
                        "STRING",
                        values(s(""), s("hello"), s("ünïcödé 🚀"), s("x".repeat(10_000)))),
                arguments("BOOLEAN", "BOOLEAN", "null", values(true, false)),
                arguments(
                        "BINARY(4)",
                        "BINARY",
                        "null",
                        values(new byte[] {0, 1, 2, 3}, new byte[] {-1, -1, -1, -1})),
                arguments(
                        "BYTES",
                        "BINARY",
                        "null",
                        values(new byte[0], new byte[] {-128, 0, 127}, new byte[5000])));
    }

    /** Decimals, integers and floating point. */
    static Stream<Arguments> numbers() {
        return Stream.of(
                arguments(
                        "DECIMAL(5, 2)",
                        "INT32",
                        "DECIMAL(5,2)",
                        values(dec("999.99", 5, 2), dec("-999.99", 5, 2), dec("0.01", 5, 2))),
                arguments(
                        "DECIMAL(18, 4)",
                        "INT64",
                        "DECIMAL(18,4)",
                        values(
                                dec("99999999999999.9999", 18, 4),
                                dec("-99999999999999.9999", 18, 4),
                                dec("0.0000", 18, 4))),
                arguments(
                        "DECIMAL(38, 10)",
                        "FIXED_LEN_BYTE_ARRAY",
                        "DECIMAL(38,10)",
                        values(
                                dec("9".repeat(28) + "." + "9".repeat(10), 38, 10),
                                dec("-" + "9".repeat(28) + "." + "9".repeat(10), 38, 10),
                                dec("-1.0000000000", 38, 10),
                                dec("0.0000000001", 38, 10))),
                arguments(
                        "TINYINT",
                        "INT32",
                        "INTEGER(8,true)",
                        values(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)),
                arguments(
                        "SMALLINT",
                        "INT32",
                        "INTEGER(16,true)",
                        values(Short.MIN_VALUE, Short.MAX_VALUE)),
                arguments("INT", "INT32", "null", values(Integer.MIN_VALUE, Integer.MAX_VALUE, 0)),
                arguments("BIGINT", "INT64", "null", values(Long.MIN_VALUE, Long.MAX_VALUE, 0L)),
                arguments(
                        "FLOAT",
                        "FLOAT",
                        "null",
                        values(
                                Float.MIN_VALUE,
                                -Float.MAX_VALUE,
                                Float.NaN,
                                Float.NEGATIVE_INFINITY,
                                -0.0f)),
                arguments(
                        "DOUBLE",
                        "DOUBLE",
                        "null",
                        values(Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, -0.0d)));
    }

    /** DATE, TIME, TIMESTAMP and TIMESTAMP_LTZ at each precision. */
    static Stream<Arguments> temporal() {
        return Stream.of(
                arguments(
                        "DATE",
                        "INT32",
                        "DATE",
                        values(day("0000-01-01"), day("9999-12-31"), day("1970-01-01"))),
                arguments("TIME(0)", "INT32", "TIME(MILLIS,false)", values(0, 86_399_000)),
                arguments("TIME(3)", "INT32", "TIME(MILLIS,false)", values(0, 86_399_999)),
                arguments("TIME(6)", "INT64", "TIME(MICROS,false)", values(1, 86_399_999)),
                arguments("TIME(9)", "INT64", "TIME(NANOS,false)", values(1, 86_399_999)),
                arguments(
                        "TIMESTAMP(0)",
                        "INT64",
                        "TIMESTAMP(MILLIS,false)",
                        values(ts("0000-01-01T00:00:00"), ts("9999-12-31T23:59:59"))),
                arguments(
                        "TIMESTAMP(3)",
                        "INT64",
                        "TIMESTAMP(MILLIS,false)",
                        values(
                                ts("0000-01-01T00:00:00"),
                                ts("9999-12-31T23:59:59.999"),
                                ts("1969-12-31T23:59:59.999"))),
                arguments(
                        "TIMESTAMP(6)",
                        "INT64",
                        "TIMESTAMP(MICROS,false)",
                        values(
                                ts("0000-01-01T00:00:00.000001"),
                                ts("9999-12-31T23:59:59.999999"),
                                ts("1969-12-31T23:59:59.999999"))),
                arguments(
                        "TIMESTAMP(9)",
                        "INT64",
                        "TIMESTAMP(NANOS,false)",
                        values(
                                ts("1677-09-22T00:00:00.000000001"),
                                ts("2262-04-11T23:47:16.854775807"),
                                ts("1969-12-31T23:59:59.999999999"))),
                arguments(
                        "TIMESTAMP_LTZ(3)",
                        "INT64",
                        "TIMESTAMP(MILLIS,true)",
                        values(ltz("0000-01-01T00:00:00Z"), ltz("9999-12-31T23:59:59.999Z"))),
                arguments(
                        "TIMESTAMP_LTZ(6)",
                        "INT64",
                        "TIMESTAMP(MICROS,true)",
                        values(ltz("1969-12-31T23:59:59.999999Z"), ltz("2024-05-01T10:00:00Z"))),
                arguments(
                        "TIMESTAMP_LTZ(9)",
                        "INT64",
                        "TIMESTAMP(NANOS,true)",
                        values(
                                ltz("2262-04-11T23:47:16.854775807Z"),
                                ltz("1970-01-01T00:00:00Z"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void writesAndReadsBackEveryValue(
            String type, String physical, String annotation, List<Object> values)
            throws IOException {
        TableDefinition table = ColdTables.shared("id BIGINT NOT NULL", "v " + type);
        Path path = new Path(dir.toUri().toString(), "batch-1.parquet");
        List<GenericRowData> written = new ArrayList<>();
        try (BatchWriter writer =
                BatchWriter.create(path, table, ScopeId.SHARED, BatchWriter.Options.defaults())) {
            for (int i = 0; i < values.size(); i++) {
                GenericRowData row = GenericRowData.of((long) i, values.get(i));
                writer.write(row, 100 + i, ChangeOp.UPSERT);
                written.add(row);
            }
            writer.finish();
        }

        List<ColdTables.Change> read =
                ColdTables.drain(
                        BatchReader.open(path, table, ScopeId.SHARED, BatchReadSpec.all()), table);
        assertThat(read).extracting(ColdTables.Change::row).containsExactlyElementsOf(written);
        PrimitiveType column = columnType(path, "v");
        assertThat(column.getPrimitiveTypeName().name()).isEqualTo(physical);
        assertThat(String.valueOf(column.getLogicalTypeAnnotation())).isEqualTo(annotation);
        assertThat(column.isRepetition(org.apache.parquet.schema.Type.Repetition.OPTIONAL))
                .isTrue();
    }

    @Test
    void nanosecondTimestampsOutsideInt64AreRefusedNamingTheColumn() throws IOException {
        TableDefinition table = ColdTables.shared("id BIGINT NOT NULL", "v TIMESTAMP(9)");
        Path path = new Path(dir.toUri().toString(), "batch-1.parquet");
        try (BatchWriter writer =
                BatchWriter.create(path, table, ScopeId.SHARED, BatchWriter.Options.defaults())) {
            GenericRowData row = GenericRowData.of(1L, ts("2263-01-01T00:00:00"));
            assertThatThrownBy(() -> writer.write(row, 1, ChangeOp.UPSERT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "Cannot write column v: value out of range (TIMESTAMP(7..9) values"
                                    + " must lie within 1677-09-21..2262-04-11)");
        }
        assertThat(path.getFileSystem().exists(path)).isFalse();
    }

    private PrimitiveType columnType(Path path, String name) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(FlinkInputFile.of(path))) {
            return reader.getFooter().getFileMetaData().getSchema().getType(name).asPrimitiveType();
        }
    }

    /** The values, then a null. */
    private static List<Object> values(Object... values) {
        List<Object> list = new ArrayList<>(Arrays.asList(values));
        list.add(null);
        return list;
    }

    private static StringData s(String value) {
        return StringData.fromString(value);
    }

    private static DecimalData dec(String value, int precision, int scale) {
        return DecimalData.fromBigDecimal(new BigDecimal(value), precision, scale);
    }

    private static int day(String date) {
        return (int) LocalDate.parse(date).toEpochDay();
    }

    private static TimestampData ts(String value) {
        return TimestampData.fromLocalDateTime(LocalDateTime.parse(value));
    }

    private static TimestampData ltz(String value) {
        return TimestampData.fromInstant(Instant.parse(value));
    }
}
