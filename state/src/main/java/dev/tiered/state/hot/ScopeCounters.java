package dev.tiered.state.hot;

import dev.tiered.state.ScopeId;

import java.util.Arrays;

/**
 * The mutable bookkeeping of one scope of a hot table, kept while the scope has entries (one small
 * object per scope, never per row). Also caches the scope's key prefix, so the write path does not
 * re-encode the user id, and an upper bound of the scope's keys, so that a key above it (the common
 * case of ids that grow with time, such as {@code SNOWFLAKE_ID()}) is known to be new without
 * reading RocksDB.
 */
final class ScopeCounters {
    final ScopeId scope;
    final byte[] prefix;
    long entries;
    long bytes;
    long oldestSeq = Long.MAX_VALUE;
    long newestSeq = Long.MIN_VALUE;

    /** At least the greatest key ever stored in the scope (keys are only ever removed since). */
    private byte[] maxKey = new byte[0];

    private int maxKeyLength = -1;

    ScopeCounters(ScopeId scope, byte[] prefix) {
        this.scope = scope;
        this.prefix = prefix;
    }

    void written(long seq) {
        if (seq < oldestSeq) {
            oldestSeq = seq;
        }
        if (seq > newestSeq) {
            newestSeq = seq;
        }
    }

    /** Whether {@code key[offset..offset+length)} is above every key the scope holds. */
    boolean isAboveMaxKey(byte[] key, int offset, int length) {
        return maxKeyLength < 0
                || Arrays.compareUnsigned(key, offset, offset + length, maxKey, 0, maxKeyLength)
                        > 0;
    }

    /** Records that the scope now holds {@code key[offset..offset+length)}. */
    void stored(byte[] key, int offset, int length) {
        if (isAboveMaxKey(key, offset, length)) {
            if (maxKey.length < length) {
                maxKey = new byte[length];
            }
            System.arraycopy(key, offset, maxKey, 0, length);
            maxKeyLength = length;
        }
    }

    /** Takes over the key bound of the counters this one replaces. */
    void inheritMaxKey(ScopeCounters previous) {
        maxKey = previous.maxKey;
        maxKeyLength = previous.maxKeyLength;
    }

    ScopeStats snapshot() {
        return new ScopeStats(scope, entries, bytes, oldestSeq, newestSeq);
    }
}
