package dev.tiered.source.internal.lookup;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.RowData;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The lookup function's cache: per looked-up key, the rows read and their {@code _seq}s, least
 * recently used first. Not thread-safe (a lookup function runs in one task thread).
 */
@Internal
public final class LookupCache {

    /**
     * A cache key: a primary key value (a Flink internal value, copied) in one user's scope, or in
     * any scope ({@code userId} = {@link #ANY_USER}) when the lookup gave no user.
     */
    public record Key(String userId, Object key) {
        public static final String ANY_USER = "\u0000any";
    }

    /** What a lookup read: rows (projected copies) and their {@code _seq}s, or nothing. */
    public record Entry(List<RowData> rows, long[] seqs, long readAtMillis) {}

    private final long maxRows;
    private final long expireAfterWriteMillis;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param expireAfterWriteMillis drop an entry this long after it was read; Long.MAX_VALUE for
     *     never
     */
    public LookupCache(long maxRows, long expireAfterWriteMillis) {
        this.maxRows = maxRows;
        this.expireAfterWriteMillis = expireAfterWriteMillis;
    }

    /** The entry of a key, or null if absent or expired. */
    public Entry get(Key key, long nowMillis) {
        Entry entry = entries.get(key);
        if (entry != null && nowMillis - entry.readAtMillis() >= expireAfterWriteMillis) {
            entries.remove(key);
            return null;
        }
        return entry;
    }

    public void put(Key key, Entry entry) {
        entries.put(Objects.requireNonNull(key), entry);
        if (entries.size() > maxRows) {
            Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** Drops what is cached for a key that changed in {@code userId}'s scope. */
    public void invalidate(String userId, Object key) {
        entries.remove(new Key(userId, key));
        entries.remove(new Key(Key.ANY_USER, key));
    }

    public void clear() {
        entries.clear();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }
}
