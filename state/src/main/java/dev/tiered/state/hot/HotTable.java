package dev.tiered.state.hot;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;

import org.apache.flink.table.data.RowData;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One table's part of a {@link HotStore}: its column family, keyed by {@code (scope, primary key)}
 * in the order of {@link KeyEncoder} (a STREAM table without a primary key is keyed by {@code
 * (scope, _seq)}), each value holding the op, the {@code _seq} and the row ({@link RowCodec}).
 *
 * <p><b>Versions.</b> {@link #apply} keeps the newest {@code _seq} of each key: an upsert replaces
 * the row, a delete leaves a tombstone (kept until a flush carries it to the cold tier, so older
 * cold versions stay hidden), and a change whose {@code _seq} is not above the stored one is
 * ignored. Each call is atomic on its own; there are no multi-row transactions.
 *
 * <p><b>STREAM TTL.</b> An entry written at {@code SnowflakeIds.timestampMillis(_seq)} is expired
 * once the clock reaches that time plus {@code TTL_SECONDS}: lookups and cursors never return it,
 * and {@link #expire()} deletes it.
 *
 * <p>Same threading rule as the store: one thread.
 */
public final class HotTable {
    private static final int VALUE_HEADER = EntryCodec.VALUE_HEADER;
    private static final int SLOT = EntryCodec.SLOT;

    private static final byte[] EMPTY = new byte[0];

    private final HotStore store;
    private final TableDefinition definition;
    private final RocksDB db;
    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle ttlIndex;
    private final HotStoreResources resources;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final Clock clock;
    private final long ttlMillis;
    private final EntryCodec entries;
    private final ScopeLedger ledger = new ScopeLedger();
    private final EntryRemover remover;
    private final byte[] header = new byte[VALUE_HEADER];
    private byte[] readBuf = new byte[256];

    /**
     * Puts of {@link #apply} not written to RocksDB yet: one write of {@link #BATCH_PUTS} puts
     * costs the write path's per-write work (write group, sequence number) once instead of per row.
     * Written before anything else reads or changes the table ({@link #writePending}), so every
     * other method sees every change applied before it.
     */
    private final WriteBatch pending = new WriteBatch();

    private static final int BATCH_PUTS = 128;
    private int pendingPuts;
    private ByteBuffer keyBuffer = ByteBuffer.allocateDirect(256);
    private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(1024);

    HotTable(
            HotStore store,
            TableDefinition definition,
            RocksDB db,
            ColumnFamilyHandle data,
            ColumnFamilyHandle ttlIndex,
            HotStoreResources resources,
            Clock clock) {
        this.store = store;
        this.definition = definition;
        this.db = db;
        this.data = data;
        this.ttlIndex = ttlIndex;
        this.resources = resources;
        this.writeOptions = resources.writeOptions();
        this.readOptions = resources.readOptions();
        this.clock = clock;
        this.ttlMillis = definition.options().ttlMillis().orElse(0L);
        this.entries = new EntryCodec(definition);
        this.remover = new EntryRemover(db, data, ttlIndex, resources, ledger);
    }

    public TableDefinition definition() {
        return definition;
    }

    /**
     * Applies one change: stores it if its {@code _seq} is newer than the key's stored version.
     * Allocates nothing per call once the scope is known.
     *
     * @param seq the change's snowflake id (its write time is the TTL's start)
     * @param row a row of the table's row type; for a delete only its key column is kept
     * @return false if the change was ignored: not newer than the stored version, or (STREAM)
     *     already expired
     * @throws IllegalArgumentException for a scope of the wrong kind (a USER table takes user
     *     scopes, other tables the shared scope), a null key, or a delete on a table without key
     */
    public boolean apply(ScopeId scope, long seq, ChangeOp op, RowData row) throws IOException {
        store.checkOpen();
        entries.check(scope, op);
        if (seq < expiredBelow()) {
            return false;
        }
        ScopeCounters counters = ledger.get(scope);
        byte[] prefix = counters != null ? counters.prefix : ScopeKeys.prefix(scope);
        int keyLength = entries.writeKey(prefix, row, seq);
        byte[] key = entries.keyBytes();
        int stored = RocksDB.NOT_FOUND;
        long storedSeq = 0;
        int valueLength;
        try {
            // Only a key the scope may hold needs the read of the stored version, and only if
            // the change may be older than it: a change above the scope's newest _seq (every
            // change a writer makes itself) replaces whatever is stored, and is counted as a new
            // entry without reading (see ScopeStats#entries). A TTL index needs the stored _seq.
            if (entries.hasPrimaryKey()
                    && counters != null
                    && (seq <= counters.newestSeq || ttlIndex != null)
                    && !counters.isAboveMaxKey(key, SLOT, keyLength)) {
                writePending();
                stored = db.get(data, readOptions, key, SLOT, keyLength, header, 0, VALUE_HEADER);
                if (stored != RocksDB.NOT_FOUND) {
                    storedSeq = EntryCodec.seqOf(header, 0);
                    if (seq <= storedSeq) {
                        return false;
                    }
                }
            }
            valueLength = entries.writeValue(seq, op, row);
            if (ttlIndex == null) {
                batchPut(key, SLOT, keyLength, entries.valueBytes(), valueLength);
            } else {
                db.put(
                        data,
                        writeOptions,
                        key,
                        SLOT,
                        keyLength,
                        entries.valueBytes(),
                        0,
                        valueLength);
            }
            if (ttlIndex != null) {
                if (stored != RocksDB.NOT_FOUND) {
                    entries.writeIndexSeq(storedSeq);
                    db.delete(ttlIndex, writeOptions, key, 0, SLOT + keyLength);
                }
                entries.writeIndexSeq(seq);
                db.put(ttlIndex, writeOptions, key, 0, SLOT + keyLength, EMPTY, 0, 0);
            }
        } catch (RocksDBException e) {
            throw new IOException("Cannot write to hot table " + tableId(), e);
        }
        if (counters == null) {
            counters = ledger.getOrCreate(scope, prefix);
        }
        counters.written(seq);
        counters.stored(key, SLOT, keyLength);
        long bytes = keyLength + valueLength;
        if (stored == RocksDB.NOT_FOUND) {
            ledger.account(counters, 1, bytes);
        } else {
            ledger.account(counters, 0, bytes - keyLength - stored);
        }
        return true;
    }

    private void batchPut(byte[] key, int keyOffset, int keyLength, byte[] value, int valueLength)
            throws RocksDBException {
        if (keyBuffer.capacity() < keyLength) {
            keyBuffer = ByteBuffer.allocateDirect(Math.max(keyLength, keyBuffer.capacity() * 2));
        }
        if (valueBuffer.capacity() < valueLength) {
            valueBuffer =
                    ByteBuffer.allocateDirect(Math.max(valueLength, valueBuffer.capacity() * 2));
        }
        keyBuffer.clear();
        keyBuffer.put(key, keyOffset, keyLength).flip();
        valueBuffer.clear();
        valueBuffer.put(value, 0, valueLength).flip();
        pending.put(data, keyBuffer, valueBuffer);
        if (++pendingPuts >= BATCH_PUTS) {
            writePending();
        }
    }

    /** Writes the batched puts of {@link #apply}; every other access calls it first. */
    void writePending() throws RocksDBException {
        if (pendingPuts > 0) {
            db.write(writeOptions, pending);
            pending.clear();
            pendingPuts = 0;
        }
    }

    private void writePendingOrThrow() throws IOException {
        try {
            writePending();
        } catch (RocksDBException e) {
            throw new IOException("Cannot write to hot table " + tableId(), e);
        }
    }

    /** Releases the batch of pending puts (the store closes its tables before the database). */
    void close() {
        pending.close();
    }

    /** {@link #apply} of an upsert. */
    public boolean upsert(ScopeId scope, long seq, RowData row) throws IOException {
        return apply(scope, seq, ChangeOp.UPSERT, row);
    }

    /** {@link #apply} of a delete. */
    public boolean delete(ScopeId scope, long seq, RowData row) throws IOException {
        return apply(scope, seq, ChangeOp.DELETE, row);
    }

    /**
     * The newest live row of a key: null when the key is absent, deleted or (STREAM) expired.
     *
     * @param keyRow the primary key columns only, in key order (arity 1)
     * @return a row the caller owns (detached from the store)
     * @throws UnsupportedOperationException on a table without primary key
     */
    public RowData get(ScopeId scope, RowData keyRow) throws IOException {
        store.checkOpen();
        if (!entries.hasPrimaryKey()) {
            throw new UnsupportedOperationException(
                    "Cannot look up a key in " + tableId() + ": it has no primary key");
        }
        ScopeCounters counters = ledger.get(scope);
        if (counters == null) {
            return null; // the scope has no entries
        }
        int keyLength = entries.writeLookupKey(counters.prefix, keyRow);
        byte[] key = entries.keyBytes();
        int size;
        try {
            writePending();
            size = db.get(data, readOptions, key, SLOT, keyLength, readBuf, 0, readBuf.length);
            if (size > readBuf.length) {
                readBuf = new byte[Math.max(size, readBuf.length * 2)];
                size = db.get(data, readOptions, key, SLOT, keyLength, readBuf, 0, size);
            }
        } catch (RocksDBException e) {
            throw new IOException("Cannot read from hot table " + tableId(), e);
        }
        if (size == RocksDB.NOT_FOUND
                || readBuf[0] == ChangeOp.DELETE.code()
                || EntryCodec.seqOf(readBuf, 0) < expiredBelow()) {
            return null;
        }
        HotRow row = new HotRow(entries.rowCodec());
        row.pointTo(Arrays.copyOfRange(readBuf, VALUE_HEADER, size), 0);
        return row;
    }

    /**
     * A cursor over the scope's entries (upserts and tombstones) in key order, as of now: the input
     * of a flush. The caller closes it (try-with-resources); the store closes it at the latest when
     * the store closes.
     */
    public ChangeCursor cursor(ScopeId scope) throws IOException {
        store.checkOpen();
        writePendingOrThrow();
        entries.check(scope, ChangeOp.UPSERT);
        ScopeCounters counters = ledger.get(scope);
        byte[] prefix = counters != null ? counters.prefix : ScopeKeys.prefix(scope);
        ScopeCursor cursor =
                new ScopeCursor(store, db, data, entries.rowCodec(), scope, prefix, expiredBelow());
        store.lend(cursor);
        return cursor;
    }

    /**
     * After a flush of the scope committed: deletes the scope's entries whose {@code _seq} is at
     * most {@code flushedThroughSeq} (the versions the flush moved), keeping newer versions written
     * since the flush's cursor was opened. One range delete when nothing newer exists, else a scan
     * of the scope, which also recounts the scope's {@link ScopeStats} exactly.
     *
     * @return the number of entries removed (for a range delete, the versions the scope counted)
     */
    public long removeFlushed(ScopeId scope, long flushedThroughSeq) throws IOException {
        store.checkOpen();
        try {
            writePending();
            return remover.removeFlushed(scope, flushedThroughSeq);
        } catch (RocksDBException e) {
            throw new IOException(
                    "Cannot remove flushed rows of " + scope + " from " + tableId(), e);
        }
    }

    /**
     * Deletes every entry of a scope, tombstones included (GDPR erase of a user, or a scope this
     * writer no longer owns).
     *
     * @return the number of entries removed
     */
    public long dropScope(ScopeId scope) throws IOException {
        store.checkOpen();
        try {
            writePending();
            return remover.dropScope(scope);
        } catch (RocksDBException e) {
            throw new IOException("Cannot drop scope " + scope + " of " + tableId(), e);
        }
    }

    /**
     * Deletes the entries of a STREAM table that are expired by now: a range scan over the write
     * time index (O(expired)), or over the {@code _seq}-ordered keys of a table without primary
     * key. A no-op for other tables. The writer calls it at each checkpoint. Deleted entries are
     * gone for every reader at once; RocksDB reclaims their disk space in background compactions.
     *
     * @return the number of entries deleted
     */
    public long expire() throws IOException {
        store.checkOpen();
        long bound = expiredBelow();
        if (ttlMillis == 0 || bound <= 0) {
            return 0;
        }
        try {
            writePending();
            return remover.expire(bound);
        } catch (RocksDBException e) {
            throw new IOException("Cannot expire entries of " + tableId(), e);
        }
    }

    /** The bookkeeping of one scope (empty stats for a scope without entries). */
    public ScopeStats stats(ScopeId scope) {
        return ledger.stats(scope);
    }

    /** The bookkeeping of every scope that has entries, in no particular order. */
    public List<ScopeStats> scopeStats() {
        return ledger.snapshot();
    }

    /** Entries of all scopes (see {@link ScopeStats#entries()}). */
    public long entryCount() {
        return ledger.entries();
    }

    /** Encoded bytes of all scopes (see {@link ScopeStats#bytes()}): for {@code hot.max-bytes}. */
    public long byteCount() {
        return ledger.bytes();
    }

    /**
     * Rebuilds this table from committed hot segments: the newest version of each key of the scopes
     * {@code owned} accepts (tombstones included; STREAM entries already expired are left out).
     * Sorts in a bounded heap buffer, spills sorted runs to the store directory when the input
     * exceeds it, and bulk-loads the result as SST files (see {@link BulkLoader}).
     *
     * <p>Takes ownership of each cursor as it takes it from {@code segments} and closes it, also
     * when restore fails; cursors it never reached stay the caller's.
     *
     * @throws IllegalStateException if the table already has entries
     */
    public RestoreResult restore(
            Iterable<? extends ChangeCursor> segments, Predicate<ScopeId> owned)
            throws IOException {
        return restore(segments, owned, BulkLoader.LOAD_FILE_BYTES);
    }

    /** {@link #restore} with another size of the loaded SST files (tests). */
    RestoreResult restore(
            Iterable<? extends ChangeCursor> segments, Predicate<ScopeId> owned, long fileBytes)
            throws IOException {
        store.checkOpen();
        if (!ledger.isEmpty()) {
            throw new IllegalStateException(
                    "Cannot restore hot table " + tableId() + ": it already has entries");
        }
        writePendingOrThrow();
        try (BulkLoader loader =
                new BulkLoader(this, store.directory(), store.options(), fileBytes)) {
            return loader.load(segments, owned);
        }
    }

    // ---- internals shared with BulkLoader and tests ----

    String tableId() {
        return definition.tableId();
    }

    RocksDB db() {
        return db;
    }

    ColumnFamilyHandle data() {
        return data;
    }

    ColumnFamilyHandle ttlIndex() {
        return ttlIndex;
    }

    HotStoreResources resources() {
        return resources;
    }

    /** The first {@code _seq} that is not expired now; {@link Long#MIN_VALUE} without TTL. */
    long expiredBelow() {
        return ttlMillis == 0 ? Long.MIN_VALUE : EntryCodec.expiredBelow(clock.millis(), ttlMillis);
    }

    ScopeLedger ledger() {
        return ledger;
    }

    /** Entries physically in the data column family (a full scan): for tests. */
    long rawDataCount() throws RocksDBException {
        writePending();
        return remover.rawCount(data);
    }

    /** Entries physically in the TTL index column family (0 without one): for tests. */
    long rawIndexCount() throws RocksDBException {
        return ttlIndex == null ? 0 : remover.rawCount(ttlIndex);
    }
}
