package dev.tiered.state.cold;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The order of primary keys in a cold batch, which is also the order of Parquet's statistics for
 * the key column: numbers, dates, times and timestamps by value, strings by their UTF-8 bytes (code
 * point order) and BINARY by unsigned bytes.
 *
 * <p>An instance also checks, per written row, that rows arrive in key order then {@code _seq}
 * order: allocation-free for integer-like and string/binary keys (the previous key is kept in a
 * reused buffer). Not thread-safe.
 */
final class KeyOrder {
    /** Compares Flink internal values of one key type; byte[] by unsigned bytes. */
    static final Comparator<Object> VALUES = KeyOrder::compareValues;

    private enum Kind {
        LONG,
        BYTES,
        OBJECT
    }

    private final int pos;
    private final Kind kind;
    private final LogicalTypeRoot root;
    private final RowData.FieldGetter getter;
    private boolean empty = true;
    private long previousSeq;
    private long previousLong;
    private byte[] previousBytes = new byte[32];
    private int previousLength;
    private Object previousObject;

    KeyOrder(LogicalType keyType, int pos) {
        this.pos = pos;
        this.getter = RowData.createFieldGetter(keyType, pos);
        this.root = keyType.getTypeRoot();
        this.kind =
                switch (keyType.getTypeRoot()) {
                    case TINYINT, SMALLINT, INTEGER, DATE, TIME_WITHOUT_TIME_ZONE, BIGINT ->
                            Kind.LONG;
                    case CHAR, VARCHAR, BINARY, VARBINARY -> Kind.BYTES;
                    default -> Kind.OBJECT;
                };
    }

    /**
     * Whether the row comes after the previous one: a greater key, or the same key with a greater
     * {@code _seq}. Remembers the row as the new previous one when it does.
     */
    boolean advance(RowData row, long seq) {
        int keyOrder =
                switch (kind) {
                    case LONG -> advanceLong(row);
                    case BYTES -> advanceBytes(row);
                    case OBJECT -> advanceObject(row);
                };
        boolean after = empty || keyOrder > 0 || (keyOrder == 0 && seq > previousSeq);
        empty = false;
        previousSeq = seq;
        return after;
    }

    private int advanceLong(RowData row) {
        long key =
                switch (root) {
                    case TINYINT -> row.getByte(pos);
                    case SMALLINT -> row.getShort(pos);
                    case BIGINT -> row.getLong(pos);
                    default -> row.getInt(pos);
                };
        int order = Long.compare(key, previousLong);
        previousLong = key;
        return order;
    }

    private Object getterValue(RowData row) {
        return getter.getFieldOrNull(row);
    }

    private int advanceBytes(RowData row) {
        byte[] key =
                root == LogicalTypeRoot.CHAR || root == LogicalTypeRoot.VARCHAR
                        ? row.getString(pos).toBytes()
                        : row.getBinary(pos);
        int order = Arrays.compareUnsigned(key, 0, key.length, previousBytes, 0, previousLength);
        if (key.length > previousBytes.length) {
            previousBytes = new byte[Math.max(key.length, previousBytes.length * 2)];
        }
        System.arraycopy(key, 0, previousBytes, 0, key.length);
        previousLength = key.length;
        return order;
    }

    private int advanceObject(RowData row) {
        Object key = getterValue(row);
        int order = empty ? 1 : compareValues(key, previousObject);
        previousObject = key;
        return order;
    }

    /** The key of the row as text, for error messages. */
    String describe(RowData row) {
        Object value = getterValue(row);
        return value instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(value);
    }

    int pos() {
        return pos;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        if (a instanceof byte[] left) {
            return Arrays.compareUnsigned(left, (byte[]) b);
        }
        return ((Comparable) a).compareTo(b);
    }
}
