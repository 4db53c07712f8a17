package dev.tiered.state;

import org.apache.flink.table.data.RowData;

import java.io.IOException;

/**
 * A forward-only cursor over versioned rows: a hot segment (arrival order), a cold batch (key
 * order, then {@code _seq}), the hot store (key order) or a merge of those. The accessors describe
 * the current position and are valid until the next call to {@link #next()}; implementations may
 * reuse the {@link RowData} they return, so callers copy what they keep.
 *
 * <p>A cursor owns what it reads from (files, RocksDB iterators): close it on every path.
 */
public interface ChangeCursor extends AutoCloseable {

    /** Moves to the next change; false when there is none. */
    boolean next() throws IOException;

    /** The scope of the current change. */
    ScopeId scope();

    /** The version order of the current change: a snowflake id, unique per table. */
    long seq();

    /** Upsert or delete (a tombstone: only the key columns of {@link #row()} are meaningful). */
    ChangeOp op();

    /** The full row in the table's physical row type (see {@link TableDefinition#rowType()}). */
    RowData row();

    @Override
    void close() throws IOException;
}
