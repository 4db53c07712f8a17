package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;

import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.PrimitiveType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes one cold batch ({@code batch-N.parquet}) of one scope: the rows it is given, which must
 * come sorted by primary key, then by {@code _seq} (the caller, a hot-store iteration or a merge,
 * sorts them; the writer checks the order as it goes). See {@link ParquetSchemas} for the columns
 * and type mapping; docs/storage-format.md "Cold batches" for the format.
 *
 * <p>Life cycle: {@link #create} creates the file (never overwriting one), {@link #write} appends
 * rows, {@link #finish()} writes the footer, closes the file and describes it. The writer owns the
 * file's stream: {@link #close()} after {@code finish()} does nothing; without it, or after any
 * failure, it closes the stream and deletes the partial file (best effort: an undeleted partial
 * file is an orphan that no manifest names). Use it in try-with-resources:
 *
 * <pre>{@code
 * try (BatchWriter writer = BatchWriter.create(path, table, scope, options)) {
 *     for (...) writer.write(row, seq, op);
 *     return writer.finish();
 * }
 * }</pre>
 *
 * <p>Any exception from {@code write} leaves the writer failed: later calls throw and {@code
 * close()} deletes the file. Not thread-safe.
 */
public final class BatchWriter implements AutoCloseable {
    /**
     * Values a column chunk needs before its dictionary fallback counts ({@link
     * #dictionaryFallbacks}).
     */
    static final long MIN_VALUES_TO_LEARN = 512;

    private enum State {
        OPEN,
        FAILED,
        FINISHED,
        CLOSED
    }

    private final TableDefinition table;
    private final FlinkOutputFile file;
    private final ParquetWriter<ChangeRecord> writer;
    private final List<String> statsColumns;
    private final ChangeRecord record = new ChangeRecord();
    private final KeyOrder keyOrder;
    private final int userIdPos;
    private final BinaryStringData owner;
    private final Set<String> plainColumns;
    private final String key;
    private Set<String> dictionaryFallbacks = Set.of();
    private State state = State.OPEN;
    private long rowCount;
    private long minSeq = Long.MAX_VALUE;
    private long maxSeq = Long.MIN_VALUE;

    private BatchWriter(
            TableDefinition table,
            FlinkOutputFile file,
            ParquetWriter<ChangeRecord> writer,
            List<String> statsColumns,
            ScopeId scope,
            Set<String> plainColumns) {
        this.table = table;
        this.plainColumns = plainColumns;
        this.key = table.primaryKey().get(0);
        this.file = file;
        this.writer = writer;
        this.statsColumns = statsColumns;
        int keyPos = table.primaryKeyIndex();
        this.keyOrder = new KeyOrder(table.columns().get(keyPos).type(), keyPos);
        this.userIdPos = table.type() == TableType.USER ? table.userIdIndex() : -1;
        this.owner =
                scope.isShared()
                        ? null
                        : BinaryStringData.fromBytes(
                                scope.userId().getBytes(StandardCharsets.UTF_8));
    }

    /** Creates the batch file on the file system of the path's URI; see the class javadoc. */
    public static BatchWriter create(
            Path path, TableDefinition table, ScopeId scope, Options options) throws IOException {
        return create(path.getFileSystem(), path, table, scope, options);
    }

    /**
     * Creates the batch file; fails if it exists.
     *
     * @param scope the scope whose rows this batch holds: {@link ScopeId#SHARED} for SHARED tables,
     *     the user for USER tables (each upsert's user id column must name that user)
     */
    public static BatchWriter create(
            FileSystem fileSystem, Path path, TableDefinition table, ScopeId scope, Options options)
            throws IOException {
        return create(fileSystem, path, table, scope, options, null);
    }

    /**
     * Creates the batch file; fails if it exists. With {@code syncs}, {@link #finish()} hands the
     * file to them to be synced and closed in the background: the file is durable only once {@link
     * FileSyncs#awaitAll()} returns, which the caller must see before a commit names the file.
     *
     * @param syncs background syncs, or null to sync the file in {@code finish()}
     */
    public static BatchWriter create(
            FileSystem fileSystem,
            Path path,
            TableDefinition table,
            ScopeId scope,
            Options options,
            FileSyncs syncs)
            throws IOException {
        checkScope(table, scope, path);
        List<String> statsColumns = statsColumns(table, options, path);
        BatchWriteSupport support = new BatchWriteSupport(table, metadata(table));
        FlinkOutputFile file = new FlinkOutputFile(fileSystem, path, syncs);
        String key = table.primaryKey().get(0);
        ParquetWriter<ChangeRecord> writer;
        // ZSTD at level 1 (Parquet's default is 3): a USER table's flush writes a small batch per
        // user, and at level 3 ZSTD was a tenth of the writer's time; level 1 is also Paimon's.
        PageCodecs codecs = new PageCodecs(Options.ZSTD_LEVEL, options.pageBytes());
        try {
            WriteSupportBuilder<ChangeRecord> builder = new WriteSupportBuilder<>(file, support);
            for (String column : options.plainColumns()) {
                builder.withDictionaryEncoding(column, false);
            }
            writer =
                    builder.withConf(new PlainParquetConfiguration())
                            .withCodecFactory(codecs)
                            .withWriteMode(ParquetFileWriter.Mode.CREATE)
                            .withCompressionCodec(options.compression().codec())
                            .withRowGroupSize(options.rowGroupBytes())
                            .withPageSize(options.pageBytes())
                            .withDictionaryEncoding(true)
                            // unique by construction: a dictionary would only be built and dropped
                            .withDictionaryEncoding(key, false)
                            .withDictionaryEncoding(ParquetSchemas.SEQ, false)
                            .withBloomFilterEnabled(key, true)
                            .withBloomFilterNDV(key, options.expectedRows())
                            .withBloomFilterFPP(key, options.bloomFilterFpp())
                            .build();
        } catch (IOException | RuntimeException e) {
            codecs.release();
            if (file.isOpened()) { // else the file is not ours: it may be one that existed
                file.abort();
                file.deleteQuietly(e);
            }
            throw e;
        }
        return new BatchWriter(table, file, writer, statsColumns, scope, options.plainColumns());
    }

    /**
     * Appends a change. Rows must come in primary key order, then {@code _seq} order.
     *
     * @param row the row in the table's physical row type; for a {@link ChangeOp#DELETE} only the
     *     key is read (a tombstone stores nulls in every other column). The writer keeps no
     *     reference to it after returning, so the caller may reuse it.
     * @throws IllegalArgumentException for a null key, a row out of order, a USER-table row of
     *     another user, or a value Parquet cannot hold (TIMESTAMP(7..9) outside 1677..2262)
     */
    public void write(RowData row, long seq, ChangeOp op) throws IOException {
        if (state != State.OPEN) {
            throw new IllegalStateException(
                    "Cannot write to batch " + file.getPath() + ": writer is " + state);
        }
        state = State.FAILED; // until the row is written: any exception leaves it failed
        if (row.isNullAt(keyOrder.pos())) {
            throw new IllegalArgumentException(
                    "Cannot write to batch " + file.getPath() + ": null primary key");
        }
        if (!keyOrder.advance(row, seq)) {
            throw new IllegalArgumentException(
                    "Cannot write to batch "
                            + file.getPath()
                            + ": row with key "
                            + keyOrder.describe(row)
                            + " and _seq "
                            + seq
                            + " is not after the previous row (rows must come in key order, then"
                            + " _seq order)");
        }
        if (op == ChangeOp.UPSERT && userIdPos >= 0) {
            checkOwner(row);
        }
        writer.write(record.set(row, seq, op));
        record.row = null;
        state = State.OPEN;
        rowCount++;
        minSeq = Math.min(minSeq, seq);
        maxSeq = Math.max(maxSeq, seq);
    }

    /**
     * After {@link #finish()}: the columns that were dictionary-encoded when the batch was opened
     * and came out without a dictionary, because Parquet found it did not pay (values nearly all
     * distinct) and re-encoded their pages plainly; only columns with at least 512 values, mostly
     * non-null, count. A caller writing many batches of one table can pass them to the next ones as
     * {@link Options#withPlainColumns plain columns}: the file comes out the same, without building
     * and dropping the dictionary.
     */
    public Set<String> dictionaryFallbacks() {
        return dictionaryFallbacks;
    }

    private static Set<String> dictionaryFallbacks(
            ParquetMetadata footer, Set<String> plainColumns, String key) {
        Set<String> fallbacks = new LinkedHashSet<>();
        for (BlockMetaData block : footer.getBlocks()) {
            for (ColumnChunkMetaData chunk : block.getColumns()) {
                String column = chunk.getPath().toDotString();
                // a few values say nothing: a dictionary of one value already "does not pay"
                boolean hasValues =
                        chunk.getValueCount() >= MIN_VALUES_TO_LEARN
                                && (chunk.getStatistics() == null
                                        || chunk.getStatistics().getNumNulls()
                                                < chunk.getValueCount() / 2);
                if (!chunk.hasDictionaryPage()
                        && hasValues
                        && chunk.getPrimitiveType().getPrimitiveTypeName()
                                != PrimitiveType.PrimitiveTypeName.BOOLEAN // never dictionary
                        && !plainColumns.contains(column)
                        && !column.equals(key)
                        && !column.equals(ParquetSchemas.SEQ)) {
                    fallbacks.add(column);
                }
            }
        }
        return Set.copyOf(fallbacks);
    }

    /** The rows written so far. */
    public long rowCount() {
        return rowCount;
    }

    /**
     * Writes the footer, closes the file and describes it for the manifest. Afterwards {@link
     * #close()} does nothing. On failure the writer is failed and {@code close()} deletes the file.
     *
     * @throws IllegalStateException if no row was written (write no empty batches)
     */
    public BatchFile finish() throws IOException {
        if (state != State.OPEN) {
            throw new IllegalStateException(
                    "Cannot finish batch " + file.getPath() + ": writer is " + state);
        }
        if (rowCount == 0) {
            throw new IllegalStateException(
                    "Cannot finish batch " + file.getPath() + ": no rows written");
        }
        state = State.FAILED;
        writer.close();
        state = State.FINISHED;
        ParquetMetadata footer = writer.getFooter();
        dictionaryFallbacks = dictionaryFallbacks(footer, plainColumns, key);
        return new BatchFile(
                file.path().getName(),
                file.bytesWritten(),
                rowCount,
                minSeq,
                maxSeq,
                BatchStats.of(footer, table, statsColumns));
    }

    /**
     * Releases the writer. After {@link #finish()}: nothing. Otherwise: closes the stream and the
     * Parquet writer quietly and deletes the partial file (best effort). Idempotent.
     */
    @Override
    public void close() {
        if (state == State.FINISHED || state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        IOException streamError = file.abort();
        try {
            writer.close(); // releases codecs; the footer write fails on the closed stream
        } catch (IOException | RuntimeException expected) {
            // the stream is closed on purpose: nothing of this file is kept
        }
        file.deleteQuietly(streamError);
    }

    private void checkOwner(RowData row) {
        StringData user = row.isNullAt(userIdPos) ? null : row.getString(userIdPos);
        if (user == null || !isOwner(user)) {
            throw new IllegalArgumentException(
                    "Cannot write to batch "
                            + file.getPath()
                            + ": row with key "
                            + keyOrder.describe(row)
                            + " belongs to user "
                            + (user == null ? "null" : user)
                            + ", not to the batch's user "
                            + owner);
        }
    }

    /** Compares the UTF-8 bytes in place: no copy per row. */
    private boolean isOwner(StringData user) {
        return user instanceof BinaryStringData
                ? owner.equals(user)
                : Arrays.equals(user.toBytes(), owner.toBytes());
    }

    private static void checkScope(TableDefinition table, ScopeId scope, Path path) {
        boolean userTable = table.type() == TableType.USER;
        if (userTable == scope.isShared()) {
            throw new IllegalArgumentException(
                    "Cannot create batch "
                            + path
                            + ": scope "
                            + scope
                            + " does not fit "
                            + table.type()
                            + " table "
                            + table.tableId());
        }
    }

    private static List<String> statsColumns(TableDefinition table, Options options, Path path) {
        if (table.primaryKeyIndex() < 0) {
            throw new IllegalArgumentException(
                    "Cannot create batch "
                            + path
                            + ": table "
                            + table.tableId()
                            + " has no primary key (STREAM tables are never flushed)");
        }
        Set<String> columns = new LinkedHashSet<>();
        columns.add(table.primaryKey().get(0));
        for (String column : options.statsColumns()) {
            if (table.column(column).isEmpty()) {
                throw new IllegalArgumentException(
                        "Cannot create batch "
                                + path
                                + ": no column '"
                                + column
                                + "' in table "
                                + table.tableId()
                                + " to collect statistics for");
            }
            columns.add(column);
        }
        return List.copyOf(columns);
    }

    private static Map<String, String> metadata(TableDefinition table) {
        return Map.of(
                ParquetSchemas.META_FORMAT_VERSION,
                ParquetSchemas.FORMAT_VERSION,
                ParquetSchemas.META_KIND,
                "batch",
                ParquetSchemas.META_TABLE,
                table.tableId(),
                ParquetSchemas.META_SCHEMA_VERSION,
                Integer.toString(table.schemaVersion()));
    }

    /**
     * How a batch is written.
     *
     * @param compression page compression; ZSTD by default
     * @param rowGroupBytes target row-group size (Parquet buffers a row group in memory); 64 MiB
     * @param pageBytes target page size; 1 MiB
     * @param expectedRows rows the caller expects to write, which sizes the key's bloom filter
     *     (more rows than this only raise its false-positive rate, fewer waste bytes: the filter is
     *     16 KiB at 10,000 rows, 128 KiB at 100,000). Callers know it (a flush counts the scope's
     *     hot rows, a merge sums its inputs) and should pass it; 10,000
     * @param bloomFilterFpp false-positive rate of the key's bloom filter at {@code expectedRows};
     *     0.01
     * @param statsColumns columns besides the primary key whose min/max/null count {@link
     *     BatchFile} reports (the table's sort/time columns); none
     * @param plainColumns columns written without dictionary encoding (besides the key and {@code
     *     _seq}, which never have one): those an earlier batch found not worth a dictionary ({@link
     *     BatchWriter#dictionaryFallbacks()}); none
     */
    public record Options(
            ParquetCompression compression,
            long rowGroupBytes,
            int pageBytes,
            long expectedRows,
            double bloomFilterFpp,
            List<String> statsColumns,
            Set<String> plainColumns) {
        public static final long DEFAULT_ROW_GROUP_BYTES = 64L * 1024 * 1024;
        public static final int DEFAULT_PAGE_BYTES = 1024 * 1024;
        public static final long DEFAULT_EXPECTED_ROWS = 10_000;
        public static final double DEFAULT_BLOOM_FILTER_FPP = 0.01;

        /** The ZSTD level of {@link ParquetCompression#ZSTD} pages (Parquet's default is 3). */
        public static final int ZSTD_LEVEL = 1;

        public Options {
            Objects.requireNonNull(compression, "compression");
            if (rowGroupBytes <= 0 || pageBytes <= 0 || expectedRows <= 0) {
                throw new IllegalArgumentException(
                        "Cannot configure batch writer: sizes and expected rows must be > 0");
            }
            if (!(bloomFilterFpp > 0 && bloomFilterFpp < 1)) {
                throw new IllegalArgumentException(
                        "Cannot configure batch writer: bloom filter fpp must be in (0, 1)");
            }
            statsColumns = List.copyOf(statsColumns);
            plainColumns = Set.copyOf(plainColumns);
        }

        public static Options defaults() {
            return new Options(
                    ParquetCompression.ZSTD,
                    DEFAULT_ROW_GROUP_BYTES,
                    DEFAULT_PAGE_BYTES,
                    DEFAULT_EXPECTED_ROWS,
                    DEFAULT_BLOOM_FILTER_FPP,
                    List.of(),
                    Set.of());
        }

        public Options withCompression(ParquetCompression value) {
            return new Options(
                    value,
                    rowGroupBytes,
                    pageBytes,
                    expectedRows,
                    bloomFilterFpp,
                    statsColumns,
                    plainColumns);
        }

        public Options withRowGroupBytes(long value) {
            return new Options(
                    compression,
                    value,
                    pageBytes,
                    expectedRows,
                    bloomFilterFpp,
                    statsColumns,
                    plainColumns);
        }

        public Options withPageBytes(int value) {
            return new Options(
                    compression,
                    rowGroupBytes,
                    value,
                    expectedRows,
                    bloomFilterFpp,
                    statsColumns,
                    plainColumns);
        }

        public Options withExpectedRows(long value) {
            return new Options(
                    compression,
                    rowGroupBytes,
                    pageBytes,
                    value,
                    bloomFilterFpp,
                    statsColumns,
                    plainColumns);
        }

        public Options withBloomFilterFpp(double value) {
            return new Options(
                    compression,
                    rowGroupBytes,
                    pageBytes,
                    expectedRows,
                    value,
                    statsColumns,
                    plainColumns);
        }

        public Options withStatsColumns(String... columns) {
            return new Options(
                    compression,
                    rowGroupBytes,
                    pageBytes,
                    expectedRows,
                    bloomFilterFpp,
                    List.of(columns),
                    plainColumns);
        }

        public Options withPlainColumns(Set<String> columns) {
            return new Options(
                    compression,
                    rowGroupBytes,
                    pageBytes,
                    expectedRows,
                    bloomFilterFpp,
                    statsColumns,
                    columns);
        }
    }
}
