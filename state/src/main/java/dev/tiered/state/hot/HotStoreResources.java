package dev.tiered.state.hot;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksObject;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Owns every RocksDB options object, the shared block cache, the write buffer manager and the bloom
 * filter of one {@link HotStore}. Created before the DB opens and closed after it closes (the DB
 * refers to them natively). {@link #close()} is idempotent and closes the per-store objects first,
 * then the shared cache, manager and filter, each quietly: a close failure is logged, never hides
 * the others.
 */
final class HotStoreResources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HotStoreResources.class);

    static {
        RocksDB.loadLibrary();
    }

    /** Per-store objects, closed first, in creation order. */
    private final List<RocksObject> handles = new ArrayList<>();

    /** The cache, write buffer manager and filter the options refer to: closed last. */
    private final List<RocksObject> shared = new ArrayList<>();

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnOptions;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private boolean closed;

    /** Creates everything, closing what it created if a later step fails. */
    HotStoreResources(HotStoreOptions options) {
        try {
            Cache cache = addShared(new LRUCache(options.blockCacheBytes(), -1, false, 0.1));
            WriteBufferManager writeBuffers =
                    addShared(new WriteBufferManager(options.writeBufferManagerBytes(), cache));
            BloomFilter filter = addShared(new BloomFilter(10, false));

            this.dbOptions =
                    add(new DBOptions())
                            .setCreateIfMissing(true)
                            .setCreateMissingColumnFamilies(true)
                            .setWriteBufferManager(writeBuffers)
                            // Checkpoints give durability (WAL is off); the directory is deleted
                            // on close, so flushing memtables at shutdown is wasted work.
                            .setAvoidFlushDuringShutdown(true)
                            .setInfoLogLevel(InfoLogLevel.HEADER_LEVEL)
                            .setKeepLogFileNum(1)
                            .setStatsDumpPeriodSec(0)
                            .setStatsPersistPeriodSec(0)
                            .setMaxBackgroundJobs(2);

            BlockBasedTableConfig table =
                    new BlockBasedTableConfig()
                            .setBlockCache(cache)
                            .setFilterPolicy(filter)
                            .setWholeKeyFiltering(true)
                            .setCacheIndexAndFilterBlocks(true)
                            .setCacheIndexAndFilterBlocksWithHighPriority(true)
                            .setPinL0FilterAndIndexBlocksInCache(true);
            this.columnOptions =
                    add(new ColumnFamilyOptions())
                            .setWriteBufferSize(options.writeBufferBytes())
                            .setMaxWriteBufferNumber(options.maxWriteBuffers())
                            .setTableFormatConfig(table)
                            .setCompressionType(CompressionType.LZ4_COMPRESSION)
                            // Hot rows leave at the next flush, so compacting L0 into L1 mostly
                            // rewrites rows about to be deleted: 8 L0 files before compacting
                            // (RocksDB: 4) halved the compaction CPU of a SHARED ingest (2 M rows:
                            // 3.5-4.6 s to 1.8-2.1 s), reads probe each L0 file's bloom filter.
                            .setLevel0FileNumCompactionTrigger(8)
                            // Upserts read the stored _seq first; most keys are new, and a
                            // memtable bloom answers "absent" without walking the skip list.
                            .setMemtablePrefixBloomSizeRatio(0.02)
                            .setMemtableWholeKeyFiltering(true);

            this.writeOptions = add(new WriteOptions()).setDisableWAL(true);
            this.readOptions = add(new ReadOptions());
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    DBOptions dbOptions() {
        return dbOptions;
    }

    ColumnFamilyOptions columnOptions() {
        return columnOptions;
    }

    WriteOptions writeOptions() {
        return writeOptions;
    }

    /** Options for point reads (the default snapshot, cache filled). */
    ReadOptions readOptions() {
        return readOptions;
    }

    /**
     * New {@link Options} matching the store's DB and column family options, for an {@code
     * SstFileWriter} whose files the store ingests. The caller closes it.
     */
    Options newSstOptions() {
        return new Options(dbOptions, columnOptions);
    }

    /** Every native object this container owns, for leak checks. */
    List<RocksObject> handles() {
        List<RocksObject> all = new ArrayList<>(handles);
        all.addAll(shared);
        return Collections.unmodifiableList(all);
    }

    private <T extends RocksObject> T add(T handle) {
        handles.add(handle);
        return handle;
    }

    private <T extends RocksObject> T addShared(T handle) {
        shared.add(handle);
        return handle;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        handles.forEach(HotStoreResources::closeQuietly);
        shared.forEach(HotStoreResources::closeQuietly);
    }

    static void closeQuietly(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            LOG.warn("Cannot close RocksDB handle {}: {}", handle.getClass().getSimpleName(), e);
        }
    }
}
