package dev.tiered.state.bench;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline of the hot-store benchmarks: a bare RocksDB with the hot store's configuration (64
 * MiB LRU cache with memtables charged to it, 2 x 16 MiB write buffers, bloom filters on SST files
 * and memtables, LZ4, WAL off) and one column family, driven with pre-encoded bytes.
 */
final class HotStoreRawDb implements AutoCloseable {
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    final RocksDB db;
    final ColumnFamilyHandle table;
    final WriteOptions writeOptions;
    final ReadOptions readOptions;

    HotStoreRawDb(Path directory) throws RocksDBException {
        RocksDB.loadLibrary();
        LRUCache cache = add(new LRUCache(64L << 20, -1, false, 0.1));
        WriteBufferManager writeBuffers = add(new WriteBufferManager(32L << 20, cache));
        BloomFilter filter = add(new BloomFilter(10, false));
        DBOptions dbOptions =
                add(new DBOptions())
                        .setCreateIfMissing(true)
                        .setCreateMissingColumnFamilies(true)
                        .setWriteBufferManager(writeBuffers)
                        .setAvoidFlushDuringShutdown(true)
                        .setInfoLogLevel(InfoLogLevel.HEADER_LEVEL)
                        .setMaxBackgroundJobs(2);
        ColumnFamilyOptions columnOptions =
                add(new ColumnFamilyOptions())
                        .setWriteBufferSize(16L << 20)
                        .setMaxWriteBufferNumber(2)
                        .setCompressionType(CompressionType.LZ4_COMPRESSION)
                        .setMemtablePrefixBloomSizeRatio(0.02)
                        .setMemtableWholeKeyFiltering(true)
                        .setTableFormatConfig(
                                new BlockBasedTableConfig()
                                        .setBlockCache(cache)
                                        .setFilterPolicy(filter)
                                        .setCacheIndexAndFilterBlocks(true)
                                        .setPinL0FilterAndIndexBlocksInCache(true));
        writeOptions = add(new WriteOptions()).setDisableWAL(true);
        readOptions = add(new ReadOptions());
        db =
                RocksDB.open(
                        dbOptions,
                        directory.toString(),
                        List.of(
                                new ColumnFamilyDescriptor(
                                        RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions),
                                new ColumnFamilyDescriptor("t".getBytes(), columnOptions)),
                        handles);
        table = handles.get(1);
    }

    private <T extends AutoCloseable> T add(T resource) {
        closeLast.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (ColumnFamilyHandle handle : handles) {
            handle.close();
        }
        db.close();
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
    }
}
