package dev.tiered.state.hot;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every supported column type round-trips through the hot store's value encoding. */
class RowCodecTest {

    /** Column type, then values of it (Flink's internal representation) to round-trip. */
    static Stream<Object[]> typesAndValues() {
        return Stream.of(
                new Object[] {"BOOLEAN", List.of(true, false)},
                new Object[] {"TINYINT", List.of((byte) -128, (byte) 0, (byte) 127)},
                new Object[] {"SMALLINT", List.of((short) -32768, (short) 1, (short) 32767)},
                new Object[] {"INT", List.of(Integer.MIN_VALUE, 0, Integer.MAX_VALUE)},
                new Object[] {"BIGINT", List.of(Long.MIN_VALUE, -1L, Long.MAX_VALUE)},
                new Object[] {"FLOAT", List.of(-0.0f, 1.5f, Float.NaN, Float.NEGATIVE_INFINITY)},
                new Object[] {"DOUBLE", List.of(-0.0, Math.PI, Double.NaN, Double.MAX_VALUE)},
                new Object[] {
                    "DECIMAL(10, 2)",
                    List.of(decimal("-12345678.90", 10, 2), decimal("0.01", 10, 2))
                },
                new Object[] {
                    "DECIMAL(38, 10)",
                    List.of(
                            decimal("-9999999999999999999999999999.9999999999", 38, 10),
                            decimal("0E-10", 38, 10),
                            decimal("123.4567890123", 38, 10))
                },
                new Object[] {"DATE", List.of(-719_162, 0, 20_000)},
                new Object[] {"TIME(3)", List.of(0, 86_399_999)},
                new Object[] {
                    "TIMESTAMP(3)",
                    List.of(
                            TimestampData.fromEpochMillis(-1),
                            TimestampData.fromEpochMillis(1_763_600_000_123L))
                },
                new Object[] {
                    "TIMESTAMP(9)",
                    List.of(
                            TimestampData.fromEpochMillis(-1, 999_999),
                            TimestampData.fromEpochMillis(5, 1))
                },
                new Object[] {
                    "TIMESTAMP_LTZ(6)",
                    List.of(TimestampData.fromEpochMillis(1_763_600_000_123L, 456_000))
                },
                new Object[] {"CHAR(3)", List.of(StringData.fromString("abc"))},
                new Object[] {
                    "STRING",
                    List.of(
                            StringData.fromString(""),
                            StringData.fromString("a\u0000b"),
                            StringData.fromString("ünïcødé \uD83D\uDE00"),
                            StringData.fromString("x".repeat(300)))
                },
                new Object[] {"BINARY(2)", List.of(new byte[] {0, (byte) 0xFF})},
                new Object[] {"BYTES", List.of(new byte[0], new byte[] {1, 0, 2}, new byte[200])});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("typesAndValues")
    void valuesRoundTrip(String typeText, List<Object> values) {
        RowType type = rowType("id BIGINT NOT NULL", "v " + typeText, "after INT");
        RowCodec codec = new RowCodec(type);
        for (Object value : values) {
            GenericRowData row = GenericRowData.of(7L, value, 42);
            assertThat(HotFixtures.values(roundTrip(codec, row), type))
                    .as("%s value %s", typeText, value)
                    .isEqualTo(HotFixtures.values(row, type));
        }
        GenericRowData withNull = GenericRowData.of(7L, null, 42);
        assertThat(HotFixtures.values(roundTrip(codec, withNull), type))
                .isEqualTo(Arrays.asList(7L, null, 42));
    }

    @Test
    void theTestCoversEverySupportedType() {
        Set<LogicalTypeRoot> covered = EnumSet.noneOf(LogicalTypeRoot.class);
        typesAndValues()
                .forEach(args -> covered.add(rowType("v " + args[0]).getTypeAt(0).getTypeRoot()));
        assertThat(covered).isEqualTo(TableDefinition.SUPPORTED_TYPES);
    }

    @Test
    void wideRowsWithManyNullsRoundTrip() {
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            columns.add("c" + i + (i % 3 == 0 ? " STRING" : " BIGINT"));
        }
        RowType type = rowType(columns.toArray(String[]::new));
        RowCodec codec = new RowCodec(type);
        GenericRowData row = new GenericRowData(19);
        for (int i = 0; i < 19; i += 2) {
            row.setField(i, i % 3 == 0 ? StringData.fromString("s" + i) : (long) i);
        }
        assertThat(HotFixtures.values(roundTrip(codec, row), type))
                .isEqualTo(HotFixtures.values(row, type));
        assertThat(HotFixtures.values(roundTrip(codec, new GenericRowData(19)), type))
                .containsOnlyNulls();
    }

    @Test
    void chatMessagesAreCompact() {
        RowType type = HotFixtures.messages().rowType();
        ByteWriter out = new ByteWriter(16);
        new RowCodec(type).encode(HotFixtures.message(1, "alice", 7, "x".repeat(100)), out);
        // bitmap 1 + id 8 + user 1+5 + conversation 8 + content 1+100 + created_at 8
        assertThat(out.length()).isEqualTo(132);
    }

    @Test
    void tombstoneBodyKeepsOnlyTheKey() {
        RowType type = HotFixtures.messages().rowType();
        RowCodec codec = new RowCodec(type);
        ByteWriter out = new ByteWriter(16);
        codec.encodeOnly(HotFixtures.message(5, "alice", 7, "gone"), 0, out);
        HotRow row = new HotRow(codec);
        row.pointTo(out.array(), 0);
        assertThat(HotFixtures.values(row, type))
                .isEqualTo(Arrays.asList(5L, null, null, null, null));
    }

    @Test
    void copyIsDetachedFromTheBuffer() {
        RowType type = HotFixtures.messages().rowType();
        RowCodec codec = new RowCodec(type);
        ByteWriter out = new ByteWriter(16);
        codec.encode(HotFixtures.message(1, "alice", 7, "first"), out);
        HotRow view = new HotRow(codec);
        view.pointTo(out.array(), 0);
        HotRow copy = view.copy();
        out.reset();
        codec.encode(HotFixtures.message(2, "bobby", 8, "other"), out);
        assertThat(HotFixtures.values(copy, type).subList(0, 4))
                .containsExactly(1L, "alice", 7L, "first");
    }

    @Test
    void arityMismatchIsRejected() {
        RowCodec codec = new RowCodec(rowType("a INT", "b INT"));
        assertThatThrownBy(() -> codec.encode(GenericRowData.of(1), new ByteWriter(8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot encode row: arity 1 does not match the table's 2 columns");
    }

    private static RowData roundTrip(RowCodec codec, RowData row) {
        ByteWriter out = new ByteWriter(4);
        out.writeByte(0x5A); // the codec must not depend on starting at offset 0
        codec.encode(row, out);
        HotRow view = new HotRow(codec);
        view.pointTo(out.array(), 1);
        return view;
    }

    private static RowType rowType(String... columns) {
        List<Map.Entry<String, LogicalType>> parsed = TestTables.columns(columns);
        return RowType.of(
                parsed.stream().map(Map.Entry::getValue).toArray(LogicalType[]::new),
                parsed.stream().map(Map.Entry::getKey).toArray(String[]::new));
    }

    private static DecimalData decimal(String value, int precision, int scale) {
        return DecimalData.fromBigDecimal(new BigDecimal(value), precision, scale);
    }
}
