package dev.tiered.sink.internal;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.hot.HotTable;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.TableState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps a writer's hot store in step with the commit log:
 *
 * <ul>
 *   <li>a flush's rows leave the store only once the log shows the scope flushed through them
 *       ({@link #removeCommittedFlushes}), so a failed commit loses nothing;
 *   <li>committed hot segments this writer did not write itself — those of its previous attempt, of
 *       other subtasks before a rescale, of an earlier job — are applied to the store for the
 *       changes routed to this subtask and above their scope's flushed-through bound ({@link
 *       #adopt}). The store keeps the newest {@code _seq} per key, so the order in which adopted
 *       and new changes arrive does not matter; this also covers commits the committer re-makes
 *       after the writer restored;
 *   <li>a user erased ({@code erase_user}) loses the rows this writer still holds: {@link
 *       #newlyErased} finds the scopes that left the table, and the writer drops them before its
 *       next hot segment and flushes are committed.
 * </ul>
 */
@Internal
final class LogSync {
    private final TieredTable table;
    private final HotTable hot;
    private final ScopeKeySelector router;
    private final int parallelism;
    private final int subtask;
    private final String writerId;
    private final Set<String> applied = new HashSet<>();
    private final Map<ScopeId, Long> awaiting = new HashMap<>();
    private final Set<ScopeId> adoptedWhileAwaiting = new HashSet<>();
    private final Set<ScopeId> knownScopes = new HashSet<>();
    private final NavigableMap<Long, Set<ScopeId>> preparedScopes = new TreeMap<>();

    /**
     * USER and SHARED tables route every row by its scope (the user id, or one key for the shared
     * scope; see {@link ScopeKeySelector}), so ownership is a property of the scope: {@link #adopt}
     * skips other writers' segments by their scope lists instead of decoding every row.
     */
    private final boolean routedByScope;

    private long basisCommit = -1;

    LogSync(
            TieredTable table,
            HotTable hot,
            ScopeKeySelector router,
            int parallelism,
            int subtask,
            String writerId) {
        this.table = table;
        this.writerId = writerId;
        this.hot = hot;
        this.router = router;
        this.parallelism = parallelism;
        this.subtask = subtask;
        this.routedByScope = table.definition().type() != TableType.STREAM;
    }

    /** A hot segment this writer wrote: its changes are in the store already. */
    void written(String path) {
        applied.add(path);
    }

    /** A flush of {@code scope} through {@code flushedThroughSeq} awaits its commit. */
    void flushed(ScopeId scope, long flushedThroughSeq) {
        awaiting.put(scope, flushedThroughSeq);
        adoptedWhileAwaiting.remove(scope);
    }

    /**
     * The {@code _seq} at or below which every hot entry of {@code scope} is in a batch awaiting
     * its commit, so a new flush (end of input) need only write the entries above it; {@link
     * Long#MIN_VALUE} when no flush awaits, or when changes were adopted into the scope since (they
     * may lie below the bound without being in that batch).
     */
    long flushedFloor(ScopeId scope) {
        Long bound = awaiting.get(scope);
        return bound == null || adoptedWhileAwaiting.contains(scope) ? Long.MIN_VALUE : bound;
    }

    boolean awaitingCommit(ScopeId scope) {
        return awaiting.containsKey(scope);
    }

    /** Removes from the store the rows of every flush {@code state} shows committed. */
    void removeCommittedFlushes(TableState state) throws IOException {
        if (awaiting.isEmpty()) {
            return;
        }
        Iterator<Map.Entry<ScopeId, Long>> it = awaiting.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ScopeId, Long> entry = it.next();
            if (state.scope(entry.getKey()).flushedThroughSeq() >= entry.getValue()) {
                hot.removeFlushed(entry.getKey(), entry.getValue());
                adoptedWhileAwaiting.remove(entry.getKey());
                it.remove();
            }
        }
    }

    /**
     * Applies the changes routed to this subtask from the hot segments of {@code state} it has not
     * seen.
     *
     * @return the changes applied
     */
    long adopt(TableState state) throws IOException {
        long count = 0;
        for (HotSegmentRef segment : state.hotSegments()) {
            if (!applied.add(segment.path())) {
                continue;
            }
            if (routedByScope && !hasOwnedChanges(segment, state)) {
                continue; // another writer's rows, or flushed already: nothing to read
            }
            Path file = new Path(table.layout().hotDir(), segment.path());
            try (HotSegmentReader reader =
                    HotSegmentReader.open(
                            file.getFileSystem(),
                            file,
                            table.definition(),
                            routedByScope ? this::ownsScope : s -> true)) {
                while (reader.next()) {
                    long bound = state.scope(reader.scope()).flushedThroughSeq();
                    if (reader.seq() > bound
                            && (routedByScope || owns(router.getKey(reader.row())))
                            && hot.apply(reader.scope(), reader.seq(), reader.op(), reader.row())) {
                        count++;
                        if (awaiting.containsKey(reader.scope())) {
                            adoptedWhileAwaiting.add(reader.scope());
                        }
                    }
                }
            }
        }
        return count;
    }

    /**
     * Whether {@code segment} may hold a change this writer must adopt: a change of a scope it owns
     * above the scope's flushed-through bound. Decided from the segment's reference alone, without
     * reading it; only for tables routed by scope.
     */
    private boolean hasOwnedChanges(HotSegmentRef segment, TableState state) {
        for (ScopeId scope : segment.scopes()) {
            if (ownsScope(scope) && segment.maxSeq() > state.scope(scope).flushedThroughSeq()) {
                return true;
            }
        }
        return false;
    }

    /** For tables routed by scope: whether this subtask owns the scope's rows. */
    private boolean ownsScope(ScopeId scope) {
        return owns(scope.isShared() ? "" : scope.userId());
    }

    /**
     * The scopes whose changes this writer put into the delta of checkpoint {@code checkpointId}
     * (its hot segment and its flushes); they count as committed once the log shows that checkpoint
     * committed.
     */
    void prepared(long checkpointId, Set<ScopeId> scopes) {
        if (!scopes.isEmpty()) {
            preparedScopes.computeIfAbsent(checkpointId, id -> new HashSet<>()).addAll(scopes);
        }
    }

    /**
     * The USER scopes erased as of {@code state} since the last call: scopes known to be in the
     * table (seen in it, or committed by this writer) that the table no longer has (no manifest, no
     * row in a live hot segment). Only {@code erase_user} removes a scope, and its commit record
     * does not name the user, so the writer compares what it knows with the table. Pending flushes
     * of an erased scope are forgotten: the erase removed the scope whatever those flushes held.
     */
    List<ScopeId> newlyErased(TableState state) {
        if (table.definition().type() != TableType.USER) {
            return List.of();
        }
        basisCommit = state.commit();
        Long committedThrough = state.writers().get(writerId);
        if (committedThrough != null) {
            Map<Long, Set<ScopeId>> done = preparedScopes.headMap(committedThrough, true);
            done.values().forEach(knownScopes::addAll);
            done.clear();
        }
        Set<ScopeId> live = new HashSet<>(state.liveScopeIds());
        List<ScopeId> erased = new ArrayList<>();
        Iterator<ScopeId> known = knownScopes.iterator();
        while (known.hasNext()) {
            ScopeId scope = known.next();
            if (!live.contains(scope)) {
                erased.add(scope);
                awaiting.remove(scope);
                adoptedWhileAwaiting.remove(scope);
                known.remove();
            }
        }
        knownScopes.addAll(live);
        return erased;
    }

    /**
     * The commit {@link #newlyErased} last looked at: the writer's view of the log when it prepares
     * a delta. The committer drops from the delta the scopes erased after it; -1 for tables that
     * are never erased.
     */
    long basisCommit() {
        return basisCommit;
    }

    private boolean owns(String routingKey) {
        return ScopePartitioner.partitionOf(routingKey, parallelism) == subtask;
    }
}
