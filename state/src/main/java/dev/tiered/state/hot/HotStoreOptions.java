package dev.tiered.state.hot;

/**
 * Memory and restore settings of a {@link HotStore}. Everything the store allocates natively is
 * bounded by these values, whatever the number of rows, scopes or tables:
 *
 * <ul>
 *   <li>{@code blockCacheBytes} (default 64 MiB): one LRU cache for data, index and filter blocks
 *       of all column families. Memtables are charged to it too (a write buffer manager), so the
 *       cache capacity bounds the store's native memory, as Flink's managed memory does for its
 *       RocksDB backend.
 *   <li>{@code writeBufferBytes} (default 16 MiB) and {@code maxWriteBuffers} (default 2): the
 *       memtable size of a column family and how many it may hold; the write buffer manager caps
 *       the memtables of all column families together at their product (32 MiB by default).
 *   <li>{@code restoreSortBufferBytes} (default 64 MiB): the heap {@link HotTable#restore} sorts
 *       in; larger restores spill sorted runs to local disk and merge them.
 * </ul>
 *
 * The defaults fit in the managed memory of a TaskManager slot of the default Flink setup.
 */
public record HotStoreOptions(
        long blockCacheBytes,
        long writeBufferBytes,
        int maxWriteBuffers,
        long restoreSortBufferBytes) {

    public static final long MIB = 1024L * 1024L;

    private static final HotStoreOptions DEFAULTS =
            new HotStoreOptions(64 * MIB, 16 * MIB, 2, 64 * MIB);

    public HotStoreOptions {
        check("blockCacheBytes", blockCacheBytes, MIB, 1L << 40);
        check("writeBufferBytes", writeBufferBytes, 64 * 1024, 1L << 32);
        check("maxWriteBuffers", maxWriteBuffers, 2, 64);
        check("restoreSortBufferBytes", restoreSortBufferBytes, 64 * 1024, 1L << 30);
        if (writeBufferBytes * maxWriteBuffers > blockCacheBytes) {
            throw new IllegalArgumentException(
                    "Cannot create hot store options: write buffers ("
                            + writeBufferBytes
                            + " x "
                            + maxWriteBuffers
                            + " bytes) exceed the block cache ("
                            + blockCacheBytes
                            + " bytes) they are charged to");
        }
    }

    /** 64 MiB cache, 2 x 16 MiB write buffers, 64 MiB restore sort buffer. */
    public static HotStoreOptions defaults() {
        return DEFAULTS;
    }

    /** The cap on all memtables together. */
    public long writeBufferManagerBytes() {
        return writeBufferBytes * maxWriteBuffers;
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "Cannot create hot store options: "
                            + name
                            + " = "
                            + value
                            + " is outside "
                            + min
                            + ".."
                            + max);
        }
    }
}
