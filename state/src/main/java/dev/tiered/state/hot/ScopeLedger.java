package dev.tiered.state.hot;

import dev.tiered.state.ScopeId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-scope bookkeeping of one hot table and its totals: one {@link ScopeCounters} per scope
 * that has entries (a scope that empties is forgotten), so its size follows the scopes a writer
 * holds, never the rows.
 */
final class ScopeLedger {
    private final Map<ScopeId, ScopeCounters> scopes = new HashMap<>();
    private long entries;
    private long bytes;

    /** The counters of a scope with entries, or null. */
    ScopeCounters get(ScopeId scope) {
        return scopes.get(scope);
    }

    /** The counters of a scope, created (empty, with its key prefix) if it has none. */
    ScopeCounters getOrCreate(ScopeId scope, byte[] prefix) {
        ScopeCounters counters = scopes.get(scope);
        if (counters == null) {
            counters = new ScopeCounters(scope, prefix);
            scopes.put(scope, counters);
        }
        return counters;
    }

    /** Adds deltas to a scope and the totals; forgets the scope if it has no entries left. */
    void account(ScopeCounters counters, long entryDelta, long byteDelta) {
        counters.entries += entryDelta;
        counters.bytes += byteDelta;
        entries += entryDelta;
        bytes += byteDelta;
        if (counters.entries <= 0) {
            forget(counters);
        }
    }

    /** Replaces whatever a scope had by these counters (a restore or a partial removal). */
    void install(ScopeCounters counters) {
        ScopeCounters previous = scopes.remove(counters.scope);
        if (previous != null) {
            entries -= previous.entries;
            bytes -= previous.bytes;
        }
        if (counters.entries > 0) {
            scopes.put(counters.scope, counters);
            entries += counters.entries;
            bytes += counters.bytes;
        }
    }

    void forget(ScopeCounters counters) {
        if (scopes.remove(counters.scope) != null) {
            entries -= counters.entries;
            bytes -= counters.bytes;
        }
    }

    boolean isEmpty() {
        return scopes.isEmpty();
    }

    long entries() {
        return entries;
    }

    long bytes() {
        return bytes;
    }

    ScopeStats stats(ScopeId scope) {
        ScopeCounters counters = scopes.get(scope);
        return counters == null ? ScopeStats.empty(scope) : counters.snapshot();
    }

    List<ScopeStats> snapshot() {
        List<ScopeStats> stats = new ArrayList<>(scopes.size());
        scopes.values().forEach(counters -> stats.add(counters.snapshot()));
        return stats;
    }
}
