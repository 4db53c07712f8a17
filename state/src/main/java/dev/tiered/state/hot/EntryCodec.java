package dev.tiered.state.hot;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.table.data.RowData;

/**
 * The layout of one hot table's entries, with reusable buffers to encode them:
 *
 * <ul>
 *   <li>key: {@link ScopeKeys scope prefix} + the primary key ({@link KeyEncoder}), or + the {@code
 *       _seq} (8 bytes big-endian) for a STREAM table without primary key, so that its entries are
 *       in write order;
 *   <li>value: op (1 byte, {@link ChangeOp#code()}), {@code _seq} (8 bytes big-endian), then the
 *       row ({@link RowCodec}; a tombstone keeps only the key column);
 *   <li>TTL index key (STREAM tables with a key): {@code _seq} + data key, empty value.
 * </ul>
 *
 * The key buffer keeps {@link #SLOT} free bytes before the key, so a TTL index key is the same
 * buffer with the {@code _seq} written in front: no copy. Not thread-safe.
 */
final class EntryCodec {
    /** Bytes before a data key in key buffers: room for the {@code _seq} of an index key. */
    static final int SLOT = 8;

    /** Value header: op, then {@code _seq}. */
    static final int VALUE_HEADER = 9;

    private final TableDefinition definition;
    private final int keyField;
    private final KeyEncoder keyEncoder;
    private final RowCodec codec;
    private final ByteWriter key = new ByteWriter(64);
    private final ByteWriter value = new ByteWriter(256);

    EntryCodec(TableDefinition definition) {
        this.definition = definition;
        this.keyField = definition.primaryKeyIndex();
        this.codec = new RowCodec(definition.rowType());
        this.keyEncoder =
                keyField < 0 ? null : KeyEncoder.forType(definition.columns().get(keyField).type());
    }

    boolean hasPrimaryKey() {
        return keyEncoder != null;
    }

    RowCodec rowCodec() {
        return codec;
    }

    /**
     * Checks that a change can be stored: a USER table takes user scopes, other tables only the
     * shared scope; a table without primary key takes no deletes.
     */
    void check(ScopeId scope, ChangeOp op) {
        boolean userTable = definition.type() == TableType.USER;
        if (scope.isShared() == userTable) {
            throw new IllegalArgumentException(
                    "Cannot use scope "
                            + scope
                            + " in "
                            + definition.type()
                            + " table "
                            + definition.tableId()
                            + (userTable
                                    ? ": it needs a user scope"
                                    : ": it has only the shared scope"));
        }
        if (keyEncoder == null && op == ChangeOp.DELETE) {
            throw new IllegalArgumentException(
                    "Cannot delete from " + definition.tableId() + ": it has no primary key");
        }
    }

    /**
     * Encodes the key of a change of {@code row} at {@link #keyBytes()}{@code [SLOT..]}; returns
     * its length.
     */
    int writeKey(byte[] prefix, RowData row, long seq) {
        return writeKey(prefix, row, keyField, seq);
    }

    /** Encodes the key of a lookup: {@code keyRow} holds the key column only. */
    int writeLookupKey(byte[] prefix, RowData keyRow) {
        return writeKey(prefix, keyRow, 0, 0);
    }

    private int writeKey(byte[] prefix, RowData row, int field, long seq) {
        key.reset();
        key.skip(SLOT);
        key.writeBytes(prefix, 0, prefix.length);
        if (keyEncoder != null) {
            keyEncoder.encode(row, field, key);
        } else {
            key.writeLong(seq);
        }
        return key.length() - SLOT;
    }

    /** The key buffer: {@link #SLOT} bytes, then the key last written. */
    byte[] keyBytes() {
        return key.array();
    }

    /** Writes {@code seq} into the slot before the key: the buffer then holds its index key. */
    void writeIndexSeq(long seq) {
        key.setLong(0, seq);
    }

    /** Encodes the value of a change at {@link #valueBytes()}{@code [0..]}; returns its length. */
    int writeValue(long seq, ChangeOp op, RowData row) {
        value.reset();
        value.writeByte(op.code());
        value.writeLong(seq);
        if (op == ChangeOp.UPSERT) {
            codec.encode(row, value);
        } else {
            codec.encodeOnly(row, keyField, value);
        }
        return value.length();
    }

    byte[] valueBytes() {
        return value.array();
    }

    /** The {@code _seq} of a value (or a value header) starting at {@code offset}. */
    static long seqOf(byte[] value, int offset) {
        return ByteWriter.readLong(value, offset + 1);
    }

    /**
     * The lowest {@code _seq} that is not expired at {@code nowMillis} under a TTL: an entry
     * written at {@code t = SnowflakeIds.timestampMillis(seq)} is expired once {@code t + ttl <=
     * now}, that is when {@code seq < ((now - ttl - EPOCH) + 1) << 22}.
     */
    static long expiredBelow(long nowMillis, long ttlMillis) {
        long liveFromMillis = nowMillis - ttlMillis - SnowflakeIds.EPOCH_MILLIS + 1;
        return liveFromMillis <= 0
                ? 0
                : liveFromMillis << (SnowflakeIds.WRITER_BITS + SnowflakeIds.COUNTER_BITS);
    }
}
