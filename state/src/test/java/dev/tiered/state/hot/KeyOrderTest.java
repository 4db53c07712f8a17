package dev.tiered.state.hot;

import dev.tiered.state.TableDefinition;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The key order contract: for every supported primary-key type, the unsigned byte order of {@link
 * KeyEncoder} encodings equals the natural SQL order of the values (property test against a
 * reference comparator, seeded; the seed is in every assertion description).
 */
class KeyOrderTest {
    private static final long SEED = Long.getLong("tiered.test.seed", System.nanoTime());
    private static final int VALUES = 400;

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "BOOLEAN",
                "TINYINT",
                "SMALLINT",
                "INT",
                "BIGINT",
                "FLOAT",
                "DOUBLE",
                "DECIMAL(10, 2)",
                "DECIMAL(18, 0)",
                "DECIMAL(19, 4)",
                "DECIMAL(38, 10)",
                "DATE",
                "TIME(0)",
                "TIMESTAMP(3)",
                "TIMESTAMP(9)",
                "TIMESTAMP_LTZ(3)",
                "TIMESTAMP_LTZ(6)",
                "CHAR(6)",
                "VARCHAR(20)",
                "STRING",
                "BINARY(4)",
                "VARBINARY(12)",
                "BYTES"
            })
    void encodedOrderIsTheNaturalOrder(String typeText) {
        LogicalType type = LogicalTypeParser.parse(typeText, getClass().getClassLoader());
        Random random = new Random(SEED ^ typeText.hashCode());
        Generator generator = generator(type);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < VALUES; i++) {
            // Every fourth value repeats an earlier one: equal keys must encode equally.
            values.add(
                    i > 0 && random.nextInt(4) == 0
                            ? values.get(random.nextInt(i))
                            : generator.next(random));
        }
        values.addAll(generator.edges());
        KeyEncoder encoder = KeyEncoder.forType(type);
        List<byte[]> encoded = new ArrayList<>();
        for (Object value : values) {
            encoded.add(encoder.encode(GenericRowData.of(value), 0));
        }

        for (int i = 0; i < values.size(); i++) {
            for (int j = 0; j < values.size(); j++) {
                int expected =
                        Integer.signum(generator.order().compare(values.get(i), values.get(j)));
                int actual =
                        Integer.signum(KeyEncoder.ORDER.compare(encoded.get(i), encoded.get(j)));
                if (expected != actual) {
                    assertThat(actual)
                            .as(
                                    "seed %d, type %s: %s vs %s encoded as %s vs %s",
                                    SEED,
                                    typeText,
                                    show(values.get(i)),
                                    show(values.get(j)),
                                    Arrays.toString(encoded.get(i)),
                                    Arrays.toString(encoded.get(j)))
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void variableLengthEncodingsStayOrderedWhenMoreColumnsFollow() {
        // No encoding is a prefix of another: appending a later column never reorders two keys.
        Random random = new Random(SEED);
        KeyEncoder encoder = KeyEncoder.forType(parse("BYTES"));
        for (int n = 0; n < 20_000; n++) {
            byte[] a = randomBytes(random, 4);
            byte[] b = randomBytes(random, 4);
            int expected = Integer.signum(Arrays.compareUnsigned(a, b));
            byte[] suffixA = randomBytes(random, 3);
            byte[] suffixB = randomBytes(random, 3);
            int actual =
                    Integer.signum(
                            Arrays.compareUnsigned(
                                    concat(
                                            encoder.encode(GenericRowData.of((Object) a), 0),
                                            suffixA),
                                    concat(
                                            encoder.encode(GenericRowData.of((Object) b), 0),
                                            suffixB)));
            if (expected != 0 && expected != actual) {
                assertThat(actual)
                        .as("seed %d: %s vs %s", SEED, Arrays.toString(a), Arrays.toString(b))
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void everySupportedTypeHasAnEncoder() {
        Set<LogicalTypeRoot> covered = EnumSet.noneOf(LogicalTypeRoot.class);
        for (String text :
                List.of(
                        "BOOLEAN",
                        "TINYINT",
                        "SMALLINT",
                        "INT",
                        "BIGINT",
                        "FLOAT",
                        "DOUBLE",
                        "DECIMAL(5, 1)",
                        "DATE",
                        "TIME",
                        "TIMESTAMP",
                        "TIMESTAMP_LTZ",
                        "CHAR(1)",
                        "STRING",
                        "BINARY(1)",
                        "BYTES")) {
            LogicalType type = parse(text);
            assertThat(KeyEncoder.supports(type)).isTrue();
            KeyEncoder.forType(type);
            covered.add(type.getTypeRoot());
        }
        assertThat(covered).isEqualTo(TableDefinition.SUPPORTED_TYPES);
    }

    @Test
    void unsupportedTypesAndNullKeysAreRejected() {
        assertThat(KeyEncoder.supports(parse("ARRAY<INT>"))).isFalse();
        assertThatThrownBy(() -> KeyEncoder.forType(parse("ARRAY<INT>")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot store type ARRAY<INT> in the hot tier: not a supported column type");
        assertThatThrownBy(
                        () ->
                                KeyEncoder.forType(parse("INT"))
                                        .encode(GenericRowData.of((Object) null), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot encode key: field 0 (INT) is null");
    }

    // ---- generators: random values in Flink's internal representation, and their natural order

    private interface Generator {
        Object next(Random random);

        List<Object> edges();

        Comparator<Object> order();
    }

    private static <T> Generator gen(
            Function<Random, T> next, List<T> edges, Comparator<? super T> order) {
        return new Generator() {
            @Override
            public Object next(Random random) {
                return next.apply(random);
            }

            @Override
            public List<Object> edges() {
                return new ArrayList<>(edges);
            }

            @Override
            @SuppressWarnings("unchecked")
            public Comparator<Object> order() {
                return (a, b) -> order.compare((T) a, (T) b);
            }
        };
    }

    private static Generator generator(LogicalType type) {
        return switch (type.getTypeRoot()) {
            case BOOLEAN -> gen(Random::nextBoolean, List.of(true, false), Boolean::compare);
            case TINYINT ->
                    gen(
                            r -> (byte) r.nextInt(),
                            List.of(Byte.MIN_VALUE, (byte) 0, Byte.MAX_VALUE),
                            Byte::compare);
            case SMALLINT ->
                    gen(
                            r -> (short) r.nextInt(),
                            List.of(Short.MIN_VALUE, (short) -1, Short.MAX_VALUE),
                            Short::compare);
            case INTEGER, DATE ->
                    gen(
                            KeyOrderTest::spreadInt,
                            List.of(Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE),
                            Integer::compare);
            case TIME_WITHOUT_TIME_ZONE ->
                    gen(r -> r.nextInt(86_400_000), List.of(0, 86_399_999), Integer::compare);
            case BIGINT ->
                    gen(
                            KeyOrderTest::spreadLong,
                            List.of(Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE),
                            Long::compare);
            case FLOAT ->
                    gen(
                            r ->
                                    r.nextInt(8) == 0
                                            ? Float.intBitsToFloat(r.nextInt())
                                            : (float) spreadDouble(r),
                            List.of(
                                    Float.NaN,
                                    Float.NEGATIVE_INFINITY,
                                    Float.POSITIVE_INFINITY,
                                    -0.0f,
                                    0.0f,
                                    Float.MIN_VALUE,
                                    -Float.MIN_VALUE,
                                    Float.MAX_VALUE,
                                    -Float.MAX_VALUE),
                            Float::compare);
            case DOUBLE ->
                    gen(
                            r ->
                                    r.nextInt(8) == 0
                                            ? Double.longBitsToDouble(r.nextLong())
                                            : spreadDouble(r),
                            List.of(
                                    Double.NaN,
                                    Double.NEGATIVE_INFINITY,
                                    Double.POSITIVE_INFINITY,
                                    -0.0,
                                    0.0,
                                    Double.MIN_VALUE,
                                    -Double.MIN_VALUE,
                                    Double.MAX_VALUE,
                                    -Double.MAX_VALUE),
                            Double::compare);
            case DECIMAL -> decimals(type);
            case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> timestamps(type);
            case CHAR, VARCHAR ->
                    gen(
                            KeyOrderTest::randomString,
                            List.of(
                                    StringData.fromString(""),
                                    StringData.fromString("\u0000"),
                                    StringData.fromString("\u0000\u0000"),
                                    StringData.fromString("\uFFFF"),
                                    StringData.fromString("\uD83D\uDE00")),
                            KeyOrderTest::compareCodePoints);
            case BINARY, VARBINARY ->
                    gen(
                            r -> randomBytes(r, 6),
                            List.of(
                                    new byte[0],
                                    new byte[] {0},
                                    new byte[] {0, 0},
                                    new byte[] {(byte) 0xFF},
                                    new byte[] {0, (byte) 0xFF}),
                            Arrays::compareUnsigned);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    private static Generator decimals(LogicalType type) {
        int precision = ((org.apache.flink.table.types.logical.DecimalType) type).getPrecision();
        int scale = ((org.apache.flink.table.types.logical.DecimalType) type).getScale();
        BigInteger max = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE);
        Function<BigInteger, DecimalData> of =
                unscaled ->
                        DecimalData.fromBigDecimal(
                                new BigDecimal(unscaled, scale), precision, scale);
        return gen(
                r -> {
                    int digits = 1 + r.nextInt(precision);
                    BigInteger unscaled =
                            new BigInteger(digits * 4, r).mod(BigInteger.TEN.pow(digits));
                    return of.apply(r.nextBoolean() ? unscaled.negate() : unscaled);
                },
                List.of(
                        of.apply(max),
                        of.apply(max.negate()),
                        of.apply(BigInteger.ZERO),
                        of.apply(BigInteger.ONE),
                        of.apply(BigInteger.ONE.negate())),
                DecimalData::compareTo);
    }

    private static Generator timestamps(LogicalType type) {
        boolean nanos =
                org.apache.flink.table.types.logical.utils.LogicalTypeChecks.getPrecision(type) > 3;
        return gen(
                r ->
                        TimestampData.fromEpochMillis(
                                r.nextInt(4) == 0 ? r.nextInt(5) - 2 : spreadLong(r) / 1_000_000,
                                nanos ? r.nextInt(1_000_000) : 0),
                List.of(
                        TimestampData.fromEpochMillis(0),
                                TimestampData.fromEpochMillis(-1, nanos ? 999_999 : 0),
                        TimestampData.fromEpochMillis(-1),
                                TimestampData.fromEpochMillis(0, nanos ? 1 : 0)),
                TimestampData::compareTo);
    }

    /**
     * UTF-8 byte order is code point order. (Not {@link BinaryStringData#compareTo} on strings made
     * from Java strings: it then compares UTF-16 units, which puts U+E000..U+FFFF after the
     * supplementary planes; on binary strings it compares UTF-8 bytes.)
     */
    private static int compareCodePoints(StringData a, StringData b) {
        return Arrays.compare(
                a.toString().codePoints().toArray(), b.toString().codePoints().toArray());
    }

    /** Values across magnitudes, both signs, with clusters near zero. */
    private static long spreadLong(Random r) {
        long v = r.nextLong() >> r.nextInt(64);
        return r.nextBoolean() ? v : -v;
    }

    private static int spreadInt(Random r) {
        return (int) (r.nextLong() >> (32 + r.nextInt(32)));
    }

    private static double spreadDouble(Random r) {
        return (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40) - 20);
    }

    private static StringData randomString(Random r) {
        int length = r.nextInt(6);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = r.nextInt(5);
            int codePoint =
                    switch (kind) {
                        case 0 -> 0; // NUL: the escape byte
                        case 1 -> 'a' + r.nextInt(3);
                        case 2 -> 0x80 + r.nextInt(0x780); // 2-byte UTF-8
                        case 3 -> 0xE000 + r.nextInt(0x1FFF); // 3-byte, above the surrogates
                        default -> 0x10000 + r.nextInt(0x1000); // 4-byte (a surrogate pair)
                    };
            s.appendCodePoint(codePoint);
        }
        return StringData.fromString(s.toString());
    }

    private static byte[] randomBytes(Random r, int maxLength) {
        byte[] bytes = new byte[r.nextInt(maxLength + 1)];
        for (int i = 0; i < bytes.length; i++) {
            int pick = r.nextInt(4);
            bytes[i] = pick == 0 ? 0 : pick == 1 ? (byte) 0xFF : (byte) r.nextInt(4);
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Object show(Object value) {
        return value instanceof byte[] bytes ? Arrays.toString(bytes) : value;
    }

    private static LogicalType parse(String text) {
        return LogicalTypeParser.parse(text, KeyOrderTest.class.getClassLoader());
    }
}
