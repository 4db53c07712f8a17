package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another engine reads our cold batches directly: DuckDB sees every supported type it maps, with
 * the same values, the rows in key then {@code _seq} order, and the {@code _deleted} flags.
 */
class DuckDbReadTest {
    private static final String[] COLUMNS = {
        "id BIGINT NOT NULL",
        "s STRING",
        "c CHAR(3)",
        "flag BOOLEAN",
        "raw BYTES",
        "d5 DECIMAL(5, 2)",
        "d18 DECIMAL(18, 4)",
        "d38 DECIMAL(38, 10)",
        "ti TINYINT",
        "si SMALLINT",
        "i INT",
        "f FLOAT",
        "x DOUBLE",
        "day DATE",
        "tm TIME(3)",
        "ts3 TIMESTAMP(3)",
        "ts6 TIMESTAMP(6)",
        "ts9 TIMESTAMP(9)",
        "ltz TIMESTAMP_LTZ(6)"
    };

    private static final DateTimeFormatter DUCKDB_TIMESTAMP =
            new DateTimeFormatterBuilder()
                    .appendPattern("uuuu-MM-dd HH:mm:ss")
                    .optionalStart()
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
                    .optionalEnd()
                    .toFormatter();

    @TempDir java.nio.file.Path dir;

    @Test
    void duckDbReadsABatchWithTheSameRowsInKeyThenSeqOrder() throws IOException, SQLException {
        long seed = System.nanoTime();
        System.out.println("DuckDbReadTest seed: " + seed);
        Random random = new Random(seed);
        TableDefinition table = ColdTables.shared(COLUMNS);
        Path path = new Path(dir.toUri().toString(), "batch-1.parquet");
        List<List<Object>> expected = new ArrayList<>();
        try (BatchWriter writer =
                BatchWriter.create(path, table, ScopeId.SHARED, BatchWriter.Options.defaults())) {
            long seq = 1;
            for (long id = -50; id < 250; id += 1 + random.nextInt(3)) {
                for (int version = random.nextInt(3); version >= 0; version--) {
                    seq += 1 + random.nextInt(10);
                    boolean delete = random.nextInt(6) == 0;
                    GenericRowData row = randomRow(id, random);
                    writer.write(row, seq, delete ? ChangeOp.DELETE : ChangeOp.UPSERT);
                    expected.add(expectedRow(row, seq, delete));
                }
            }
            writer.finish();
        }

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = duck.createStatement()) {
            String file = java.nio.file.Path.of(path.toUri()).toString();
            assertThat(columnTypes(statement, file))
                    .containsEntry("id", "BIGINT")
                    .containsEntry("s", "VARCHAR")
                    .containsEntry("flag", "BOOLEAN")
                    .containsEntry("raw", "BLOB")
                    .containsEntry("d5", "DECIMAL(5,2)")
                    .containsEntry("d18", "DECIMAL(18,4)")
                    .containsEntry("d38", "DECIMAL(38,10)")
                    .containsEntry("ti", "TINYINT")
                    .containsEntry("si", "SMALLINT")
                    .containsEntry("day", "DATE")
                    .containsEntry("tm", "TIME")
                    .containsEntry("ts3", "TIMESTAMP")
                    .containsEntry("ts6", "TIMESTAMP")
                    .containsEntry("ts9", "TIMESTAMP_NS")
                    .containsEntry("ltz", "TIMESTAMP WITH TIME ZONE")
                    .containsEntry("_seq", "BIGINT")
                    .containsEntry("_deleted", "BOOLEAN");
            assertThat(readAll(statement, file)).as("seed %d", seed).isEqualTo(expected);
        }
    }

    private static Map<String, String> columnTypes(Statement statement, String file)
            throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (ResultSet rs =
                statement.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + file + "')")) {
            while (rs.next()) {
                types.put(rs.getString("column_name"), rs.getString("column_type"));
            }
        }
        return types;
    }

    private static List<List<Object>> readAll(Statement statement, String file)
            throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("SELECT * FROM read_parquet('" + file + "')")) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                row.add(rs.getLong("id"));
                row.add(rs.getString("s"));
                row.add(rs.getString("c"));
                row.add(rs.getObject("flag"));
                Blob raw = rs.getBlob("raw");
                row.add(raw == null ? null : Arrays.toString(bytes(raw)));
                row.add(rs.getBigDecimal("d5"));
                row.add(rs.getBigDecimal("d18"));
                row.add(rs.getBigDecimal("d38"));
                row.add(rs.getObject("ti") == null ? null : rs.getByte("ti"));
                row.add(rs.getObject("si") == null ? null : rs.getShort("si"));
                row.add(rs.getObject("i"));
                row.add(rs.getObject("f"));
                row.add(rs.getObject("x"));
                row.add(rs.getObject("day", LocalDate.class));
                String time = rs.getString("tm"); // this driver maps TIME to no java.time class
                row.add(time == null ? null : LocalTime.parse(time));
                row.add(rs.getObject("ts3", LocalDateTime.class));
                row.add(rs.getObject("ts6", LocalDateTime.class));
                String nanos = rs.getString("ts9"); // no java.time mapping for TIMESTAMP_NS
                row.add(nanos == null ? null : LocalDateTime.parse(nanos, DUCKDB_TIMESTAMP));
                OffsetDateTime ltz = rs.getObject("ltz", OffsetDateTime.class);
                row.add(ltz == null ? null : ltz.toInstant());
                row.add(rs.getLong("_seq"));
                row.add(rs.getBoolean("_deleted"));
                rows.add(row);
            }
        }
        return rows;
    }

    private static byte[] bytes(Blob blob) throws SQLException {
        try (InputStream in = blob.getBinaryStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SQLException(e);
        }
    }

    private static GenericRowData randomRow(long id, Random random) {
        Object[] values = {
            id,
            StringData.fromString("text-" + random.nextInt(1000) + " é"),
            StringData.fromString("c" + random.nextInt(10) + "z"),
            random.nextBoolean(),
            new byte[] {(byte) random.nextInt(), 0, -1},
            DecimalData.fromUnscaledLong(random.nextInt(199_999) - 99_999, 5, 2),
            DecimalData.fromUnscaledLong(random.nextLong() % 1_000_000_000_000_000_000L, 18, 4),
            DecimalData.fromBigDecimal(
                    new BigDecimal(random.nextLong() + "" + Math.abs(random.nextLong()))
                            .movePointLeft(10),
                    38,
                    10),
            (byte) random.nextInt(),
            (short) random.nextInt(),
            random.nextInt(),
            random.nextFloat(),
            random.nextDouble(),
            random.nextInt(3_000_000) - 719_000,
            random.nextInt(86_400_000),
            TimestampData.fromEpochMillis(random.nextLong() % 100_000_000_000_000L),
            TimestampData.fromEpochMillis(
                    random.nextLong() % 100_000_000_000_000L, random.nextInt(1000) * 1000),
            TimestampData.fromEpochMillis(
                    random.nextLong() % 9_000_000_000_000L, random.nextInt(1_000_000)),
            TimestampData.fromEpochMillis(
                    random.nextLong() % 100_000_000_000_000L, random.nextInt(1000) * 1000)
        };
        for (int i = 1; i < values.length; i++) {
            if (random.nextInt(8) == 0) {
                values[i] = null;
            }
        }
        return GenericRowData.of(values);
    }

    /** The row as DuckDB's JDBC driver returns it; a tombstone keeps only its key. */
    private static List<Object> expectedRow(GenericRowData row, long seq, boolean deleted) {
        List<Object> expected = new ArrayList<>();
        expected.add(row.getLong(0));
        for (int i = 1; i < row.getArity(); i++) {
            Object value = deleted ? null : row.getField(i);
            expected.add(value == null ? null : duckDbValue(i, value));
        }
        expected.add(seq);
        expected.add(deleted);
        return expected;
    }

    private static Object duckDbValue(int pos, Object value) {
        return switch (pos) {
            case 1, 2 -> value.toString();
            case 4 -> Arrays.toString((byte[]) value);
            case 5, 6, 7 -> ((DecimalData) value).toBigDecimal();
            case 13 -> LocalDate.ofEpochDay((Integer) value);
            case 14 -> LocalTime.ofNanoOfDay((Integer) value * 1_000_000L);
            case 15, 16, 17 -> ((TimestampData) value).toLocalDateTime();
            case 18 -> ((TimestampData) value).toInstant();
            default -> value;
        };
    }
}
