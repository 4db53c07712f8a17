package dev.tiered.state.hot;

import dev.tiered.state.ScopeId;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;

import java.util.Arrays;

/**
 * The ways entries leave a {@link HotTable}: after a flush commits, when a scope is dropped, and
 * when STREAM entries expire. Keeps the table's {@link ScopeLedger} and its TTL index in step with
 * the data. Every scan owns its iterator, read options and bound in try-with-resources and reads
 * with {@code fillCache=false}, so maintenance does not evict what lookups need.
 */
final class EntryRemover {
    /** Key buffers here start with 8 free bytes, where TTL index keys carry the {@code _seq}. */
    static final int SLOT = EntryCodec.SLOT;

    private final RocksDB db;
    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle ttlIndex;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final ScopeLedger ledger;
    private final byte[] header = new byte[EntryCodec.VALUE_HEADER];

    EntryRemover(
            RocksDB db,
            ColumnFamilyHandle data,
            ColumnFamilyHandle ttlIndex,
            HotStoreResources resources,
            ScopeLedger ledger) {
        this.db = db;
        this.data = data;
        this.ttlIndex = ttlIndex;
        this.writeOptions = resources.writeOptions();
        this.readOptions = resources.readOptions();
        this.ledger = ledger;
    }

    /** See {@link HotTable#removeFlushed}. */
    long removeFlushed(ScopeId scope, long flushedThroughSeq) throws RocksDBException {
        ScopeCounters counters = ledger.get(scope);
        if (counters == null) {
            return 0;
        }
        long before = counters.entries;
        if (ttlIndex == null && counters.newestSeq <= flushedThroughSeq) {
            // Everything the scope holds was flushed: one range tombstone, no scan.
            db.deleteRange(
                    data, writeOptions, counters.prefix, ScopeKeys.upperBound(counters.prefix));
            ledger.forget(counters);
            return before;
        }
        ScopeCounters kept = new ScopeCounters(scope, counters.prefix);
        kept.inheritMaxKey(counters);
        long[] removed = {0};
        FlushedRuns runs = ttlIndex == null ? new FlushedRuns() : null;
        scanScope(
                counters.prefix,
                (k, keyLength, seq, valueLength) -> {
                    if (seq <= flushedThroughSeq) {
                        if (runs != null) {
                            runs.flushed(k, SLOT, keyLength);
                        } else {
                            db.delete(data, writeOptions, k, SLOT, keyLength);
                            deleteIndex(k, keyLength, seq);
                        }
                        removed[0]++;
                    } else {
                        if (runs != null) {
                            runs.kept(k, SLOT, keyLength);
                        }
                        kept.entries++;
                        kept.bytes += keyLength + valueLength;
                        kept.written(seq);
                    }
                });
        if (runs != null) {
            byte[] upper = ScopeKeys.upperBound(counters.prefix);
            runs.kept(upper, 0, upper.length);
        }
        ledger.install(kept); // exact again: counted from what the scan kept
        return removed[0];
    }

    /** See {@link HotTable#dropScope}. */
    long dropScope(ScopeId scope) throws RocksDBException {
        ScopeCounters counters = ledger.get(scope);
        byte[] prefix = counters != null ? counters.prefix : ScopeKeys.prefix(scope);
        if (ttlIndex != null) {
            scanScope(prefix, (k, keyLength, seq, valueLength) -> deleteIndex(k, keyLength, seq));
        }
        db.deleteRange(data, writeOptions, prefix, ScopeKeys.upperBound(prefix));
        if (counters == null) {
            return 0;
        }
        ledger.forget(counters);
        return counters.entries;
    }

    /**
     * Deletes the entries whose {@code _seq} is below {@code bound}. With a TTL index: a scan of
     * the index up to the bound (O(expired)), deleting each data entry that still has that version,
     * then one range tombstone over the scanned index range. Without one the data keys are {@code
     * (shared scope, _seq)}, so the expired entries are one leading key range.
     */
    long expire(long bound) throws RocksDBException {
        return ttlIndex != null ? expireIndexed(bound) : expireSeqKeyed(bound);
    }

    private long expireIndexed(long bound) throws RocksDBException {
        byte[] upper = new byte[SLOT];
        ByteWriter.writeLong(upper, 0, bound);
        long removed = 0;
        try (Slice upperSlice = new Slice(upper);
                ReadOptions options =
                        new ReadOptions().setFillCache(false).setIterateUpperBound(upperSlice);
                RocksIterator it = db.newIterator(ttlIndex, options)) {
            byte[] k = new byte[64];
            for (it.seekToFirst(); it.isValid(); it.next()) {
                int length = it.key(k, 0, k.length);
                if (length > k.length) {
                    k = new byte[length * 2];
                    it.key(k, 0, length);
                }
                long seq = ByteWriter.readLong(k, 0);
                int keyLength = length - SLOT;
                int stored =
                        db.get(data, readOptions, k, SLOT, keyLength, header, 0, header.length);
                if (stored != RocksDB.NOT_FOUND && EntryCodec.seqOf(header, 0) == seq) {
                    db.delete(data, writeOptions, k, SLOT, keyLength);
                    int prefixLength = ScopeKeys.prefixLength(k, SLOT, keyLength);
                    expired(ScopeKeys.decode(k, SLOT, prefixLength), keyLength + stored, bound);
                    removed++;
                }
            }
            it.status();
        }
        db.deleteRange(ttlIndex, writeOptions, new byte[SLOT], upper);
        return removed;
    }

    private long expireSeqKeyed(long bound) throws RocksDBException {
        byte[] prefix = ScopeKeys.prefix(ScopeId.SHARED);
        byte[] lower = Arrays.copyOf(prefix, prefix.length + SLOT);
        byte[] upper = Arrays.copyOf(prefix, prefix.length + SLOT);
        ByteWriter.writeLong(upper, prefix.length, bound);
        long removed = 0;
        try (Slice upperSlice = new Slice(upper);
                ReadOptions options =
                        new ReadOptions().setFillCache(false).setIterateUpperBound(upperSlice);
                RocksIterator it = db.newIterator(data, options)) {
            for (it.seek(lower); it.isValid(); it.next()) {
                // A zero-length copy returns the sizes only.
                int keyLength = it.key(header, 0, 0);
                int valueLength = it.value(header, 0, 0);
                expired(ScopeId.SHARED, keyLength + valueLength, bound);
                removed++;
            }
            it.status();
        }
        db.deleteRange(data, writeOptions, lower, upper);
        return removed;
    }

    private void expired(ScopeId scope, long bytes, long bound) {
        ScopeCounters counters = ledger.get(scope);
        if (counters == null) {
            return;
        }
        if (counters.oldestSeq < bound) {
            counters.oldestSeq = bound; // every older entry is gone
        }
        ledger.account(counters, -1, -bytes);
    }

    private void deleteIndex(byte[] k, int keyLength, long seq) throws RocksDBException {
        if (ttlIndex != null) {
            ByteWriter.writeLong(k, 0, seq);
            db.delete(ttlIndex, writeOptions, k, 0, SLOT + keyLength);
        }
    }

    /** Visits every entry of the scope with this key prefix, in key order. */
    private void scanScope(byte[] prefix, EntryVisitor visitor) throws RocksDBException {
        try (Slice upper = new Slice(ScopeKeys.upperBound(prefix));
                ReadOptions options =
                        new ReadOptions().setFillCache(false).setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(data, options)) {
            byte[] k = new byte[SLOT + 64];
            byte[] h = new byte[EntryCodec.VALUE_HEADER];
            for (it.seek(prefix); it.isValid(); it.next()) {
                int keyLength = it.key(k, SLOT, k.length - SLOT);
                if (keyLength > k.length - SLOT) {
                    k = new byte[SLOT + keyLength * 2];
                    it.key(k, SLOT, keyLength);
                }
                int valueLength = it.value(h, 0, h.length);
                visitor.visit(k, keyLength, EntryCodec.seqOf(h, 0), valueLength);
            }
            it.status();
        }
    }

    /** Entries physically in a column family (a full scan): for tests. */
    long rawCount(ColumnFamilyHandle handle) throws RocksDBException {
        long count = 0;
        try (RocksIterator it = db.newIterator(handle)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                count++;
            }
            it.status();
        }
        return count;
    }

    /**
     * Deletes the flushed entries of a scan as runs: consecutive flushed entries (in key order) of
     * at least {@link #RANGE_RUN} go as one range tombstone ending at the next kept key, shorter
     * runs as point deletes. After a flush the entries a scope keeps are newer ones, mostly a few
     * runs of new keys (ids keep growing), so removing a flush costs a few range deletes instead of
     * a delete per flushed row, and a table of random updates does not pile up range tombstones.
     */
    private final class FlushedRuns {
        static final int RANGE_RUN = 16;

        private final byte[][] pending = new byte[RANGE_RUN][];
        private final int[] pendingLength = new int[RANGE_RUN];
        private int count;

        void flushed(byte[] key, int offset, int length) {
            if (count < RANGE_RUN) {
                if (pending[count] == null || pending[count].length < length) {
                    pending[count] = new byte[Math.max(length, 32)];
                }
                System.arraycopy(key, offset, pending[count], 0, length);
                pendingLength[count] = length;
            }
            count++;
        }

        /** Ends the current run before {@code key} (a kept key, or the scope's upper bound). */
        void kept(byte[] key, int offset, int length) throws RocksDBException {
            if (count == 0) {
                return;
            }
            if (count >= RANGE_RUN) {
                db.deleteRange(
                        data,
                        writeOptions,
                        Arrays.copyOf(pending[0], pendingLength[0]),
                        Arrays.copyOfRange(key, offset, offset + length));
            } else {
                for (int i = 0; i < count; i++) {
                    db.delete(data, writeOptions, pending[i], 0, pendingLength[i]);
                }
            }
            count = 0;
        }
    }

    /** One entry of a scan: its key at {@code k[8..8+keyLength)}, 8 free bytes before it. */
    @FunctionalInterface
    private interface EntryVisitor {
        void visit(byte[] k, int keyLength, long seq, int valueLength) throws RocksDBException;
    }
}
