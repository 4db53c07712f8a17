package dev.tiered.state.hot;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;

import org.apache.flink.table.data.RowData;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

import java.io.IOException;
import java.util.Arrays;

/**
 * One scope's entries of a hot table in key order, upserts and tombstones, as of the moment the
 * cursor was created (a RocksDB iterator reads an implicit snapshot: writes made meanwhile are not
 * seen). Entries of a STREAM table that were expired at that moment are skipped. The row is a view
 * over a buffer the next {@link #next()} overwrites. Owns its iterator, read options and bound;
 * {@link #close()} (idempotent) frees them and returns the cursor to its store.
 */
final class ScopeCursor implements ChangeCursor {
    private final HotStore store;
    private final ScopeId scope;
    private final byte[] prefix;
    private final long expiredBelow;
    private final HotRow row;
    private final Slice upperBound;
    private final ReadOptions readOptions;
    private final RocksIterator iterator;
    private byte[] buf = new byte[512];
    private boolean started;
    private boolean closed;
    private long seq;
    private ChangeOp op;

    /**
     * @param expiredBelow entries with a lower {@code _seq} are skipped; {@link Long#MIN_VALUE} for
     *     none
     */
    ScopeCursor(
            HotStore store,
            RocksDB db,
            ColumnFamilyHandle data,
            RowCodec codec,
            ScopeId scope,
            byte[] prefix,
            long expiredBelow) {
        this.store = store;
        this.scope = scope;
        this.prefix = prefix;
        this.expiredBelow = expiredBelow;
        this.row = new HotRow(codec);
        Slice bound = null;
        ReadOptions options = null;
        try {
            bound = new Slice(ScopeKeys.upperBound(prefix));
            // A flush scan reads each block once: keep it out of the cache lookups use.
            options = new ReadOptions().setFillCache(false).setIterateUpperBound(bound);
            this.iterator = db.newIterator(data, options);
        } catch (RuntimeException | Error e) {
            if (options != null) {
                options.close();
            }
            if (bound != null) {
                bound.close();
            }
            throw e;
        }
        this.upperBound = bound;
        this.readOptions = options;
    }

    @Override
    public boolean next() throws IOException {
        if (closed) {
            throw new IllegalStateException("Cannot advance hot-store cursor: closed");
        }
        if (started) {
            iterator.next();
        } else {
            iterator.seek(prefix);
            started = true;
        }
        for (; iterator.isValid(); iterator.next()) {
            int length = iterator.value(buf, 0, buf.length);
            if (length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(length, buf.length * 2));
                iterator.value(buf, 0, length);
            }
            seq = EntryCodec.seqOf(buf, 0);
            if (seq < expiredBelow) {
                continue;
            }
            op = ChangeOp.fromCode(buf[0]);
            row.pointTo(buf, EntryCodec.VALUE_HEADER);
            return true;
        }
        try {
            iterator.status();
        } catch (RocksDBException e) {
            throw new IOException("Cannot read scope " + scope + " of hot store", e);
        }
        return false;
    }

    @Override
    public ScopeId scope() {
        return scope;
    }

    @Override
    public long seq() {
        return seq;
    }

    @Override
    public ChangeOp op() {
        return op;
    }

    @Override
    public RowData row() {
        return row;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // The iterator refers to the read options, and they to the bound: close in that order.
        iterator.close();
        readOptions.close();
        upperBound.close();
        store.release(this);
    }
}
