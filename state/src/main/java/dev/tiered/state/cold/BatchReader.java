package dev.tiered.state.cold;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.Column;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.bloomfilter.BloomFilter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter.ColumnPredicates;
import org.apache.parquet.filter.ColumnRecordFilter;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexFilter;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a cold batch of one scope as a {@link ChangeCursor}: rows in key order, then {@code _seq}
 * order; a row whose {@code _deleted} is true is a {@link ChangeOp#DELETE} (only its key is set).
 *
 * <p>What is read follows a {@link BatchReadSpec}: only the requested columns are decoded (plus the
 * key, {@code _seq} and {@code _deleted}), row groups whose key statistics lie outside the key
 * range are skipped unread, and for a point lookup so are row groups whose key bloom filter rules
 * the key out. Within a row group that is read, the key's column index narrows the read to the
 * pages that may hold keys in range. Rows outside the range are not returned; the cursor ends at
 * the first key above the range, since batches are sorted.
 *
 * <p>A row group read whole is read column by column ({@link FlatColumnReader}); one narrowed by
 * the column index, or filtered for a point lookup, through Parquet's record reader.
 *
 * <p>{@link #row()} returns the same {@link RowData} instance on every call, refilled by {@link
 * #next()}: it is valid only until the next {@code next()}; copy what you keep. The reader owns the
 * file's stream: close it on every path. Not thread-safe.
 */
public final class BatchReader implements ChangeCursor {
    private final String file;
    private final ParquetFileReader reader;
    private final ScopeId scope;
    private final KeyRange range;
    private final Column key;
    private final ColumnPath keyPath;
    private final int keyPos;
    private final RowData.FieldGetter keyGetter;
    private final MessageColumnIO columnIO;
    private final BatchMaterializer materializer;
    private final List<BlockMetaData> blocks;
    private int nextBlock;
    private PageReadStore pages;
    private RecordReader<ReusableRow> records;
    private FlatColumnReader[] columns;
    private long remaining;
    private boolean done;
    private int rowGroupsRead;
    private int skippedByStats;
    private int skippedByBloomFilter;
    private long rowsSkippedByPageIndex;
    private final FilterCompat.Filter keyFilter;
    private final FilterCompat.Filter pointFilter;

    private BatchReader(
            FlinkInputFile input,
            ParquetFileReader reader,
            TableDefinition table,
            ScopeId scope,
            BatchReadSpec spec) {
        this.file = input.toString();
        this.reader = reader;
        this.scope = Objects.requireNonNull(scope, "scope");
        this.range = spec.keyRange();
        this.keyPos = table.primaryKeyIndex();
        this.key = table.columns().get(keyPos);
        this.keyGetter = RowData.createFieldGetter(key.type(), keyPos);
        checkBound(range.lower(), key);
        checkBound(range.upper(), key);
        MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
        BatchReadSchema schema = BatchReadSchema.of(fileSchema, table, spec);
        MessageType requested = schema.requested();
        reader.setRequestedSchema(requested);
        String keyField = schema.keyField();
        this.keyPath = ColumnPath.get(keyField);
        this.keyFilter = KeyFilters.of(keyField, range, key.type());
        this.pointFilter =
                range.isPoint()
                        ? pointFilter(keyField, ParquetValues.toParquet(range.lower(), key.type()))
                        : null;
        this.columnIO = new ColumnIOFactory().getColumnIO(requested, fileSchema);
        this.materializer = new BatchMaterializer(schema, table.columns().size());
        this.blocks = reader.getRowGroups();
    }

    /** Opens a batch on the file system of the path's URI. */
    public static BatchReader open(
            Path path, TableDefinition table, ScopeId scope, BatchReadSpec spec)
            throws IOException {
        return open(FlinkInputFile.of(path), table, scope, spec);
    }

    /**
     * Opens a batch and reads its footer.
     *
     * @param table the table definition to read with: the batch's own schema version or a later one
     *     (columns are matched by id; columns the file lacks read as null)
     * @param scope the scope the batch belongs to, which {@link #scope()} reports
     * @throws IOException if the file cannot be read or a column's stored type does not match
     */
    public static BatchReader open(
            FlinkInputFile input, TableDefinition table, ScopeId scope, BatchReadSpec spec)
            throws IOException {
        ParquetReadOptions options =
                ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        ParquetFileReader reader;
        try {
            reader = new ParquetFileReader(input, options);
        } catch (RuntimeException e) { // Parquet reports a damaged footer unchecked
            throw new IOException("Cannot open batch " + input + ": " + e.getMessage(), e);
        }
        try {
            return new BatchReader(input, reader, table, scope, spec);
        } catch (RuntimeException e) {
            closeQuietly(reader, e);
            throw new IOException("Cannot open batch " + input + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean next() throws IOException {
        while (!done) {
            if (remaining == 0 && !nextRowGroup()) {
                done = true;
                break;
            }
            if (pointFilter != null) {
                if (records.read() == null) {
                    remaining = 0; // no further row of the key in this row group
                    continue;
                }
                return true;
            }
            if (columns != null) {
                materializer.readRow(columns);
            } else {
                records.read();
            }
            remaining--;
            if (range.isAll()) {
                return true;
            }
            int where = range.locate(keyGetter.getFieldOrNull(materializer.getCurrentRecord()));
            if (where == 0) {
                return true;
            }
            if (where > 0) {
                done = true; // sorted by key: nothing further can be in range
            }
        }
        return false;
    }

    @Override
    public ScopeId scope() {
        return scope;
    }

    @Override
    public long seq() {
        return materializer.seq();
    }

    @Override
    public ChangeOp op() {
        return materializer.deleted() ? ChangeOp.DELETE : ChangeOp.UPSERT;
    }

    /** The current row; the same instance after every {@link #next()} (see the class javadoc). */
    @Override
    public RowData row() {
        return materializer.getCurrentRecord();
    }

    /** Row groups decoded so far. */
    public int rowGroupsRead() {
        return rowGroupsRead;
    }

    /** Row groups skipped because their key min/max lie outside the key range. */
    public int rowGroupsSkippedByStats() {
        return skippedByStats;
    }

    /** Row groups skipped because their key bloom filter rules out the looked-up key. */
    public int rowGroupsSkippedByBloomFilter() {
        return skippedByBloomFilter;
    }

    /** Rows of read row groups left out because the key's column index excludes their pages. */
    public long rowsSkippedByPageIndex() {
        return rowsSkippedByPageIndex;
    }

    @Override
    public void close() throws IOException {
        done = true;
        closePages();
        reader.close();
    }

    private boolean nextRowGroup() throws IOException {
        closePages();
        while (nextBlock < blocks.size()) {
            int index = nextBlock++;
            BlockMetaData block = blocks.get(index);
            ColumnChunkMetaData keyChunk = keyChunk(block);
            if (!statsMayMatch(keyChunk)) {
                skippedByStats++;
                continue;
            }
            if (range.isPoint() && !bloomFilterMayMatch(keyChunk)) {
                skippedByBloomFilter++;
                continue;
            }
            pages = readPages(index, block);
            if (pages == null || pages.getRowCount() == 0) {
                continue;
            }
            if (pointFilter == null && pages.getRowCount() == block.getRowCount()) {
                columns = materializer.columnReaders(pages);
            } else {
                records =
                        pointFilter == null
                                ? columnIO.getRecordReader(pages, materializer)
                                : columnIO.getRecordReader(pages, materializer, pointFilter);
            }
            remaining = pages.getRowCount();
            rowGroupsRead++;
            return true;
        }
        return false;
    }

    /**
     * Reads the row group's pages: with a key range, only the pages whose column-index entry for
     * the key may hold keys in range (the other columns' pages are aligned by row).
     */
    private PageReadStore readPages(int index, BlockMetaData block) throws IOException {
        if (keyFilter == null) {
            return reader.readRowGroup(index);
        }
        RowRanges rows =
                ColumnIndexFilter.calculateRowRanges(
                        keyFilter,
                        reader.getColumnIndexStore(index),
                        Set.of(keyPath),
                        block.getRowCount());
        rowsSkippedByPageIndex += block.getRowCount() - rows.rowCount();
        if (rows.rowCount() == 0) {
            return null;
        }
        return rows.rowCount() == block.getRowCount()
                ? reader.readRowGroup(index)
                : reader.readFilteredRowGroup(index, rows);
    }

    /**
     * A record filter keeping the rows whose key equals {@code value} (the key as Parquet stores
     * it), or null for FLOAT and DOUBLE keys, whose equality the reader's comparison decides.
     */
    private static FilterCompat.Filter pointFilter(String column, Object value) {
        ColumnPredicates.Predicate predicate;
        if (value instanceof Long number) {
            predicate = ColumnPredicates.equalTo(number.longValue());
        } else if (value instanceof Integer number) {
            predicate = ColumnPredicates.equalTo(number.intValue());
        } else if (value instanceof Boolean flag) {
            predicate = ColumnPredicates.equalTo(flag.booleanValue());
        } else if (value instanceof Binary bytes) {
            predicate = ColumnPredicates.applyFunctionToBinary(bytes::equals);
        } else {
            return null;
        }
        return FilterCompat.get(ColumnRecordFilter.column(column, predicate));
    }

    private ColumnChunkMetaData keyChunk(BlockMetaData block) throws IOException {
        for (ColumnChunkMetaData chunk : block.getColumns()) {
            if (chunk.getPath().equals(keyPath)) {
                return chunk;
            }
        }
        throw new IOException("Cannot read batch " + file + ": no key column " + key.name());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private boolean statsMayMatch(ColumnChunkMetaData keyChunk) {
        if (range.isAll()) {
            return true;
        }
        Statistics stats = keyChunk.getStatistics();
        if (stats == null || stats.isEmpty() || !stats.hasNonNullValue()) {
            return true; // nothing known: read it
        }
        LogicalType type = key.type();
        if (range.upper() != null
                && stats.compareMinToValue(
                                (Comparable) ParquetValues.toParquet(range.upper(), type))
                        > 0) {
            return false;
        }
        return range.lower() == null
                || stats.compareMaxToValue(
                                (Comparable) ParquetValues.toParquet(range.lower(), type))
                        >= 0;
    }

    private boolean bloomFilterMayMatch(ColumnChunkMetaData keyChunk) throws IOException {
        Object value = ParquetValues.toParquet(range.lower(), key.type());
        if (value instanceof Boolean) {
            return true; // Parquet keeps no bloom filters for BOOLEAN columns
        }
        BloomFilter filter = reader.readBloomFilter(keyChunk);
        return filter == null || filter.findHash(filter.hash(value));
    }

    private void closePages() {
        if (pages != null) {
            pages.close();
            pages = null;
        }
        records = null;
        columns = null;
        remaining = 0;
    }

    /** A key bound must be the key type's internal value: a Long for BIGINT, ... */
    private static void checkBound(Object bound, Column key) {
        Class<?> expected = LogicalTypeUtils.toInternalConversionClass(key.type());
        if (bound != null && !expected.isInstance(bound)) {
            throw new IllegalArgumentException(
                    "key bound "
                            + bound
                            + " is a "
                            + bound.getClass().getSimpleName()
                            + ", but key column "
                            + key.name()
                            + " holds "
                            + expected.getSimpleName());
        }
    }

    private static void closeQuietly(ParquetFileReader reader, Exception cause) {
        try {
            reader.close();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
