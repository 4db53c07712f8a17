package dev.tiered.state.hot;

import dev.tiered.state.ScopeId;

/**
 * The mutable bookkeeping of one scope of a hot table, kept while the scope has entries (one small
 * object per scope, never per row). Also caches the scope's key prefix, so the write path does not
 * re-encode the user id.
 */
final class ScopeCounters {
    final ScopeId scope;
    final byte[] prefix;
    long entries;
    long bytes;
    long oldestSeq = Long.MAX_VALUE;
    long newestSeq = Long.MIN_VALUE;

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

    ScopeStats snapshot() {
        return new ScopeStats(scope, entries, bytes, oldestSeq, newestSeq);
    }
}
