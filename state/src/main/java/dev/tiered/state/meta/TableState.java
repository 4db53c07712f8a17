package dev.tiered.state.meta;

import dev.tiered.state.ScopeId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The table as of one commit: the fold of commits 1..{@code commit}. Stored every K commits as
 * {@code _log/<N>.checkpoint.json} so that loading the latest state reads a bounded number of
 * files.
 *
 * @param schemaVersion the table definition version in force
 * @param maxSeq the highest {@code _seq} any commit holds
 * @param hotSegments the live hot segments, in commit order
 * @param scopes every scope with a manifest: its version and flushed-through bound
 * @param writers per writer id, the highest checkpoint it committed (idempotent recommit)
 */
public record TableState(
        long commit,
        long timestampMillis,
        int schemaVersion,
        long maxSeq,
        List<HotSegmentRef> hotSegments,
        Map<ScopeId, ScopeState> scopes,
        Map<String, Long> writers) {

    /**
     * A scope's manifest version at this commit, the commit that wrote that version, its
     * flushed-through bound, and the base URI of the storage its directory lives in (null: the
     * table's own storage; see {@link ScopeChange#storage()}).
     */
    public record ScopeState(
            long version, long lastCommit, long flushedThroughSeq, String storage) {
        /** A scope in the table's own storage. */
        public ScopeState(long version, long lastCommit, long flushedThroughSeq) {
            this(version, lastCommit, flushedThroughSeq, null);
        }
    }

    public TableState {
        hotSegments = List.copyOf(hotSegments);
        scopes = Map.copyOf(scopes);
        writers = Map.copyOf(writers);
    }

    /** Before the first commit. */
    public static TableState empty(int schemaVersion) {
        return new TableState(0, 0, schemaVersion, 0, List.of(), Map.of(), Map.of());
    }

    public ScopeState scope(ScopeId scope) {
        return scopes.getOrDefault(scope, new ScopeState(0, 0, 0));
    }

    /** Scopes in a stable order: shared first, then users by id. */
    public List<ScopeId> scopeIds() {
        return new ArrayList<>(new TreeMap<>(scopes).keySet());
    }

    /**
     * Every scope that holds rows at this commit, in the order of {@link #scopeIds()}: the scopes
     * with a manifest and the scopes with changes in a live hot segment (not flushed yet).
     */
    public List<ScopeId> liveScopeIds() {
        TreeMap<ScopeId, Boolean> live = new TreeMap<>();
        scopes.keySet().forEach(scope -> live.put(scope, true));
        for (HotSegmentRef segment : hotSegments) {
            segment.scopes().forEach(scope -> live.put(scope, true));
        }
        return new ArrayList<>(live.keySet());
    }

    /** Whether (writer, checkpoint) is already committed. */
    public boolean isCommitted(String writerId, long checkpointId) {
        Long last = writers.get(writerId);
        return checkpointId >= 0 && last != null && last >= checkpointId;
    }

    /**
     * This state with commit {@code record} applied. The record must be the next commit.
     *
     * @throws IllegalStateException if the record does not follow this state (a bug or a damaged
     *     log): wrong number, a retired hot segment that is not live, a scope change for the wrong
     *     manifest version
     */
    public TableState apply(CommitRecord record) {
        if (record.commit() != commit + 1) {
            throw new IllegalStateException(
                    "Cannot apply commit "
                            + record.commit()
                            + " to table state at commit "
                            + commit);
        }
        Set<String> retired = new HashSet<>(record.hotRetired());
        List<HotSegmentRef> hot = new ArrayList<>(hotSegments.size() + record.hotAdded().size());
        for (HotSegmentRef segment : hotSegments) {
            if (!retired.remove(segment.path())) {
                hot.add(segment);
            }
        }
        if (!retired.isEmpty()) {
            throw new IllegalStateException(
                    "Cannot apply commit "
                            + record.commit()
                            + ": retires hot segments "
                            + retired
                            + " that are not live");
        }
        hot.addAll(record.hotAdded());

        Map<ScopeId, ScopeState> nextScopes = new HashMap<>(scopes);
        for (ScopeChange change : record.scopeChanges()) {
            ScopeState current = scope(change.scope());
            if (change.erased()) {
                // An erase removes the scope at whatever version it is, and erasing a scope this
                // state does not have is a no-op: after erase_user the log before the erase is
                // scrubbed of the user, and a fold may meet the erase commit before it is.
                nextScopes.remove(change.scope());
                continue;
            }
            if (change.version() != current.version() + 1) {
                throw new IllegalStateException(
                        "Cannot apply commit "
                                + record.commit()
                                + ": scope "
                                + change.scope()
                                + " change is for manifest version "
                                + change.version()
                                + " but the scope is at "
                                + current.version());
            }
            nextScopes.put(
                    change.scope(),
                    new ScopeState(
                            change.version(),
                            record.commit(),
                            Math.max(current.flushedThroughSeq(), change.flushedThroughSeq()),
                            // where a scope lives is decided by the change that creates it
                            current.version() == 0 ? change.storage() : current.storage()));
        }

        Map<String, Long> nextWriters = new HashMap<>(writers);
        if (record.checkpointId() >= 0) {
            nextWriters.merge(record.writerId(), record.checkpointId(), Math::max);
        }
        return new TableState(
                record.commit(),
                record.timestampMillis(),
                record.schemaVersion(),
                Math.max(maxSeq, record.maxSeq()),
                hot,
                nextScopes,
                nextWriters);
    }
}
