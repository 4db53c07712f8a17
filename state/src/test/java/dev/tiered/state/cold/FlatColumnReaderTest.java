package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole row groups are read column by column ({@link FlatColumnReader}): every physical type, nulls
 * in every optional column, many pages and row groups, dictionary pages that fall back to plain
 * ones within a column chunk, and version 2 data pages with Parquet's other encodings (batches are
 * written with version 1 pages; the reader does not depend on it).
 */
class FlatColumnReaderTest {
    private static final TableDefinition TABLE =
            ColdTables.shared(
                    "k BIGINT NOT NULL",
                    "label STRING",
                    "text STRING",
                    "flag BOOLEAN",
                    "n INT",
                    "small SMALLINT",
                    "x DOUBLE",
                    "y FLOAT",
                    "at TIMESTAMP(3)",
                    "amount DECIMAL(10, 2)",
                    "big DECIMAL(30, 4)",
                    "raw BYTES");
    private static final int ROWS = 40_000;

    @TempDir java.nio.file.Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(WriterVersion.class)
    void everyTypeReadsBackExactlyFromPagesOfEitherVersion(WriterVersion version)
            throws IOException {
        List<ColdTables.Change> written = changes();
        java.nio.file.Path file = dir.resolve("batch-1.parquet");
        writeWithSmallPages(file, version, written);

        Set<Encoding> encodings = EnumSet.noneOf(Encoding.class);
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            assertThat(reader.getRowGroups()).hasSizeGreaterThan(1);
            for (BlockMetaData group : reader.getRowGroups()) {
                group.getColumns().forEach(column -> encodings.addAll(column.getEncodings()));
            }
            ColumnChunkMetaData text = reader.getRowGroups().get(0).getColumns().get(2);
            assertThat(text.getPath().toDotString()).isEqualTo("text");
            assertThat(text.getEncodingStats().hasDictionaryEncodedPages()).isTrue();
            assertThat(text.getEncodingStats().hasNonDictionaryEncodedPages()).isTrue();
        }
        assertThat(encodings)
                .contains(
                        version == WriterVersion.PARQUET_1_0
                                ? Encoding.PLAIN
                                : Encoding.DELTA_BINARY_PACKED);
        assertThat(read(Path.fromLocalFile(file.toFile()))).isEqualTo(written);
    }

    @Test
    void aBatchOfManyPagesAndRowGroupsReadsBackExactly() throws IOException {
        List<ColdTables.Change> written = changes();
        Path path = new Path(dir.toUri().toString(), "batch-2.parquet");
        try (BatchWriter writer =
                BatchWriter.create(
                        path,
                        TABLE,
                        ScopeId.SHARED,
                        BatchWriter.Options.defaults()
                                .withRowGroupBytes(512 * 1024)
                                .withPageBytes(8 * 1024))) {
            for (ColdTables.Change change : written) {
                writer.write(change.row(), change.seq(), change.op());
            }
            writer.finish();
        }
        assertThat(read(path)).isEqualTo(written);
    }

    /**
     * A PLAIN string is a view of its page's bytes: a reference kept (not copied) past later pages
     * and the reader's close still holds its value, as {@link StringData} is immutable.
     */
    @Test
    void stringsKeptPastTheirPageHoldTheirValues() throws IOException {
        List<ColdTables.Change> written = changes();
        java.nio.file.Path file = dir.resolve("batch-3.parquet");
        writeWithSmallPages(file, WriterVersion.PARQUET_1_0, written);
        Path path = Path.fromLocalFile(file.toFile());
        List<StringData> kept = new ArrayList<>();
        try (BatchReader reader =
                BatchReader.open(path, TABLE, ScopeId.SHARED, BatchReadSpec.all())) {
            while (reader.next()) {
                kept.add(reader.row().isNullAt(2) ? null : reader.row().getString(2));
            }
        }
        assertThat(kept).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            RowData row = written.get(i).row();
            StringData expected = row.isNullAt(2) ? null : row.getString(2);
            assertThat(kept.get(i)).as("row %d", i).isEqualTo(expected);
        }
    }

    /**
     * Writes the changes with small row groups, pages and dictionary pages, so that {@code text}
     * falls back from dictionary to PLAIN pages within its column chunks.
     */
    private static void writeWithSmallPages(
            java.nio.file.Path file, WriterVersion version, List<ColdTables.Change> changes)
            throws IOException {
        ChangeRecord record = new ChangeRecord();
        try (ParquetWriter<ChangeRecord> writer =
                new WriteSupportBuilder<>(
                                new LocalOutputFile(file), new BatchWriteSupport(TABLE, Map.of()))
                        .withConf(new PlainParquetConfiguration())
                        .withWriterVersion(version)
                        .withCompressionCodec(CompressionCodecName.ZSTD)
                        .withRowGroupSize(512 * 1024)
                        .withPageSize(8 * 1024)
                        .withDictionaryPageSize(4 * 1024)
                        .build()) {
            for (ColdTables.Change change : changes) {
                record.row = change.row();
                record.seq = change.seq();
                record.op = change.op();
                writer.write(record);
            }
        }
    }

    private static List<ColdTables.Change> read(Path path) throws IOException {
        return ColdTables.drain(
                BatchReader.open(path, TABLE, ScopeId.SHARED, BatchReadSpec.all()), TABLE);
    }

    /**
     * Rows with a null in each optional column at its own period; {@code label} has 20 values (a
     * dictionary), {@code text} runs of 50 values between runs of unique ones (a dictionary that
     * outgrows its page within a column chunk); every 9th row is a delete (a tombstone: nulls but
     * for the key).
     */
    private static List<ColdTables.Change> changes() {
        List<ColdTables.Change> changes = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            long k = 3L * i - 50_000;
            ChangeOp op = i % 9 == 4 ? ChangeOp.DELETE : ChangeOp.UPSERT;
            GenericRowData row = new GenericRowData(TABLE.columns().size());
            row.setField(0, k);
            if (op == ChangeOp.UPSERT) {
                row.setField(1, i % 11 == 0 ? null : StringData.fromString("label-" + i % 20));
                row.setField(
                        2,
                        i % 13 == 0
                                ? null
                                : StringData.fromString(
                                        i % 2_000 < 500 ? "again " + i % 50 : "text " + k + " ü€"));
                row.setField(3, i % 5 == 0 ? null : i % 3 == 0);
                row.setField(4, i % 7 == 0 ? null : i * 31);
                row.setField(5, i % 17 == 0 ? null : (short) (i % 30_000 - 15_000));
                row.setField(6, i % 19 == 0 ? null : i / 7.0);
                row.setField(7, i % 23 == 0 ? null : i / 3.0f);
                row.setField(
                        8,
                        i % 29 == 0 ? null : TimestampData.fromEpochMillis(1_700_000_000_000L + k));
                row.setField(9, i % 31 == 0 ? null : DecimalData.fromUnscaledLong(k * 7, 10, 2));
                row.setField(
                        10,
                        i % 37 == 0
                                ? null
                                : DecimalData.fromBigDecimal(
                                        new java.math.BigDecimal(k + "123456789012345.6789"),
                                        30,
                                        4));
                row.setField(11, i % 41 == 0 ? null : new byte[] {(byte) i, (byte) (i >> 8)});
            }
            changes.add(new ColdTables.Change(ScopeId.SHARED, 1_000L + i, op, row));
        }
        return changes;
    }
}
