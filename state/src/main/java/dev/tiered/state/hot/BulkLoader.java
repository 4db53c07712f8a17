package dev.tiered.state.hot;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;

import org.rocksdb.CompressionType;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The restore of one {@link HotTable} from change cursors. Each kept change is encoded into a
 * {@link SortBuffer}; when it fills, it is sorted, deduplicated (newest {@code _seq} per key) and
 * spilled as a sorted run (an SST file in a work directory under the store's). At the end the
 * buffer, or the {@link RunMerger merge} of all runs, is written as SST files of unique sorted keys
 * (rolled every {@link #LOAD_FILE_BYTES}) and ingested into the table's (empty) column family at
 * once: no memtable, no read-before-write, no compaction of the loaded data. Small inputs are put
 * directly instead (see {@link #MIN_INGEST_ENTRIES}). Heap use is bounded by the sort buffer; the
 * work directory is deleted on {@link #close()}.
 */
final class BulkLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkLoader.class);

    /**
     * Below this many entries, putting the sorted entries beats writing and ingesting an SST file
     * (a fixed cost of about 2.5 ms). Measured on 2 cores with chat-message rows (best of 15): 1000
     * entries 3.4 ms by puts vs 3.9 ms by ingest, 3000 entries 4.6 vs 4.5 ms, 10000 entries 14.3 vs
     * 12.5 ms, 30000 entries 40.5 vs 30.1 ms.
     */
    static final int MIN_INGEST_ENTRIES = 2048;

    /**
     * Uncompressed bytes per loaded SST file, as RocksDB's default target file size: files the size
     * compaction produces, whose index and filter blocks fit the block cache. (One file for a
     * million keys has a 1.3 MB filter, larger than a cache shard, and was re-read on every lookup:
     * 0.5 ms per get.)
     */
    static final long LOAD_FILE_BYTES = 64L << 20;

    private static final byte[] EMPTY = new byte[0];

    private final HotTable table;
    private final long loadFileBytes;
    private final RocksDB db;
    private final Path workDir;
    private final EntryCodec entries;
    private final SortBuffer buffer;
    private final long expiredBelow;
    private final List<Path> runs = new ArrayList<>();
    private final List<ScopeCounters> loadedScopes = new ArrayList<>();
    private final ByteWriter indexKey = new ByteWriter(64);
    private ByteBuffer directKey = ByteBuffer.allocateDirect(256);
    private ByteBuffer directValue = ByteBuffer.allocateDirect(1024);
    private ScopeCounters current;
    private long changesRead;
    private long skippedNotOwned;
    private long skippedExpired;
    private long entriesLoaded;
    private ScopeId lastScope;
    private boolean lastOwned;
    private byte[] lastPrefix;

    /**
     * @param loadFileBytes uncompressed bytes per loaded SST file ({@link #LOAD_FILE_BYTES}; tests
     *     pass less)
     */
    BulkLoader(HotTable table, Path storeDirectory, HotStoreOptions options, long loadFileBytes)
            throws IOException {
        this.loadFileBytes = loadFileBytes;
        this.table = table;
        this.db = table.db();
        this.entries = new EntryCodec(table.definition());
        this.buffer = new SortBuffer(options.restoreSortBufferBytes());
        this.expiredBelow = table.expiredBelow();
        this.workDir = Files.createTempDirectory(storeDirectory, "restore-");
    }

    RestoreResult load(Iterable<? extends ChangeCursor> segments, Predicate<ScopeId> owned)
            throws IOException {
        long start = System.nanoTime();
        try {
            for (ChangeCursor segment : segments) {
                try (ChangeCursor cursor = segment) {
                    while (cursor.next()) {
                        add(cursor, owned);
                    }
                }
            }
            int ingested = finish();
            loadedScopes.forEach(table.ledger()::install);
            RestoreResult result =
                    new RestoreResult(
                            changesRead,
                            skippedNotOwned,
                            skippedExpired,
                            entriesLoaded,
                            loadedScopes.size(),
                            runs.size(),
                            ingested);
            LOG.info(
                    "Restored hot table {} in {} ms: {}",
                    table.tableId(),
                    (System.nanoTime() - start) / 1_000_000,
                    result);
            return result;
        } catch (RocksDBException e) {
            throw new IOException("Cannot restore hot table " + table.tableId(), e);
        }
    }

    private void add(ChangeCursor cursor, Predicate<ScopeId> owned)
            throws IOException, RocksDBException {
        changesRead++;
        ScopeId scope = cursor.scope();
        if (!Objects.equals(scope, lastScope)) {
            lastScope = scope;
            lastOwned = owned.test(scope);
            if (lastOwned) {
                lastPrefix = ScopeKeys.prefix(scope);
            }
        }
        if (!lastOwned) {
            skippedNotOwned++;
            return;
        }
        long seq = cursor.seq();
        if (seq < expiredBelow) {
            skippedExpired++;
            return;
        }
        ChangeOp op = cursor.op();
        entries.check(scope, op);
        int keyLength = entries.writeKey(lastPrefix, cursor.row(), seq);
        int valueLength = entries.writeValue(seq, op, cursor.row());
        byte[] key = entries.keyBytes();
        if (!buffer.add(key, EntryCodec.SLOT, keyLength, entries.valueBytes(), valueLength)) {
            spill();
            buffer.add(key, EntryCodec.SLOT, keyLength, entries.valueBytes(), valueLength);
        }
    }

    /** Loads what was read; returns the number of SST files ingested (0: put one by one). */
    private int finish() throws IOException, RocksDBException {
        if (runs.isEmpty()) {
            buffer.sortAndDedupe();
            if (buffer.size() < MIN_INGEST_ENTRIES) {
                forEachBuffered(this::put);
                finishScope();
                return 0;
            }
            return ingest(writeSst("load", this::forEachBuffered, true));
        }
        spill();
        try (Options options = runOptions();
                RunMerger merger = new RunMerger(runs, options)) {
            return ingest(writeSst("load", merger::forEach, true));
        }
    }

    private void spill() throws IOException, RocksDBException {
        buffer.sortAndDedupe();
        runs.addAll(writeSst("run-" + runs.size(), this::forEachBuffered, false));
        buffer.clear();
    }

    private void forEachBuffered(EntryConsumer consumer) throws RocksDBException {
        byte[] arena = buffer.arena();
        for (int i = 0; i < buffer.size(); i++) {
            consumer.accept(
                    arena,
                    buffer.keyOffset(i),
                    buffer.keyLength(i),
                    arena,
                    buffer.valueOffset(i),
                    buffer.valueLength(i));
        }
    }

    /**
     * Writes the source's entries (unique, sorted) to SST files. The final load (tracked) rolls to
     * a new file every {@code loadFileBytes}; a run is one file.
     */
    private List<Path> writeSst(String name, EntrySource source, boolean tracked)
            throws IOException, RocksDBException {
        try (SstFiles files =
                new SstFiles(
                        name,
                        tracked ? table.resources().newSstOptions() : runOptions(),
                        tracked ? loadFileBytes : Long.MAX_VALUE)) {
            source.forEach(
                    (k, ko, kl, v, vo, vl) -> {
                        if (tracked) {
                            track(k, ko, kl, v, vo, vl);
                        }
                        files.put(k, ko, kl, v, vo, vl);
                    });
            if (tracked) {
                finishScope();
            }
            return files.finish();
        }
    }

    /**
     * Options of the temporary sorted runs: read once, sequentially, by this loader only, so
     * neither compressed nor filtered.
     */
    private static Options runOptions() {
        return new Options().setCompressionType(CompressionType.NO_COMPRESSION);
    }

    private ByteBuffer direct(byte[] bytes, int offset, int length, boolean key) {
        ByteBuffer target = key ? directKey : directValue;
        if (target.capacity() < length) {
            target = ByteBuffer.allocateDirect(Math.max(length, target.capacity() * 2));
            if (key) {
                directKey = target;
            } else {
                directValue = target;
            }
        }
        target.clear();
        target.put(bytes, offset, length);
        target.flip();
        return target;
    }

    private int ingest(List<Path> files) throws RocksDBException {
        // moveFiles: the files are ours and on the same disk; the column family is empty and the
        // files do not overlap, so they land in the bottom level and are not compacted again.
        try (IngestExternalFileOptions options =
                new IngestExternalFileOptions(true, true, true, true)) {
            db.ingestExternalFile(
                    table.data(), files.stream().map(Path::toString).toList(), options);
        }
        return files.size();
    }

    private void put(byte[] k, int ko, int kl, byte[] v, int vo, int vl) throws RocksDBException {
        track(k, ko, kl, v, vo, vl);
        db.put(table.data(), table.resources().writeOptions(), k, ko, kl, v, vo, vl);
    }

    /** Scope bookkeeping and the TTL index entry of one loaded entry (keys arrive sorted). */
    private void track(byte[] k, int ko, int kl, byte[] v, int vo, int vl) throws RocksDBException {
        int prefixLength = ScopeKeys.prefixLength(k, ko, kl);
        if (current == null
                || !Arrays.equals(
                        k, ko, ko + prefixLength, current.prefix, 0, current.prefix.length)) {
            finishScope();
            current =
                    new ScopeCounters(
                            ScopeKeys.decode(k, ko, prefixLength),
                            Arrays.copyOfRange(k, ko, ko + prefixLength));
        }
        long seq = EntryCodec.seqOf(v, vo);
        current.entries++;
        current.bytes += kl + vl;
        current.written(seq);
        current.stored(k, ko, kl);
        entriesLoaded++;
        if (table.ttlIndex() != null) {
            indexKey.reset();
            indexKey.writeLong(seq);
            indexKey.writeBytes(k, ko, kl);
            db.put(
                    table.ttlIndex(),
                    table.resources().writeOptions(),
                    indexKey.array(),
                    0,
                    indexKey.length(),
                    EMPTY,
                    0,
                    0);
        }
    }

    private void finishScope() {
        if (current != null) {
            loadedScopes.add(current);
            current = null;
        }
    }

    @Override
    public void close() {
        HotStore.deleteQuietly(workDir);
    }

    /** SST files written in sequence, rolling to the next at a size limit. Owns its options. */
    private final class SstFiles implements AutoCloseable {
        private final String name;
        private final Options options;
        private final EnvOptions env = new EnvOptions();
        private final long maxBytes;
        private final List<Path> files = new ArrayList<>();
        private SstFileWriter writer;
        private long bytes;

        SstFiles(String name, Options options, long maxBytes) {
            this.name = name;
            this.options = options;
            this.maxBytes = maxBytes;
        }

        void put(byte[] k, int ko, int kl, byte[] v, int vo, int vl) throws RocksDBException {
            if (writer == null || bytes >= maxBytes) {
                finishCurrent();
                Path file = workDir.resolve(name + "-" + files.size() + ".sst");
                writer = new SstFileWriter(env, options);
                writer.open(file.toString());
                files.add(file);
                bytes = 0;
            }
            writer.put(direct(k, ko, kl, true), direct(v, vo, vl, false));
            bytes += kl + vl;
        }

        List<Path> finish() throws RocksDBException {
            finishCurrent();
            return files;
        }

        private void finishCurrent() throws RocksDBException {
            if (writer != null) {
                try {
                    writer.finish();
                } finally {
                    writer.close();
                    writer = null;
                }
            }
        }

        @Override
        public void close() {
            if (writer != null) {
                writer.close();
            }
            env.close();
            options.close();
        }
    }

    /** One encoded entry: key {@code k[ko..ko+kl)}, value {@code v[vo..vo+vl)}. */
    @FunctionalInterface
    interface EntryConsumer {
        void accept(byte[] k, int ko, int kl, byte[] v, int vo, int vl) throws RocksDBException;
    }

    @FunctionalInterface
    private interface EntrySource {
        void forEach(EntryConsumer consumer) throws RocksDBException;
    }
}
