package dev.tiered.state.commit;

import dev.tiered.state.ScopeId;
import dev.tiered.state.log.ManifestStore;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A commit being built: what it adds, retires and removes, without a commit number or manifest
 * versions (those are assigned against the table as it is when the commit is made, so a commit that
 * lost a race is rebased, not rebuilt). Not thread-safe; build, then hand to {@link
 * TableCommitter#commit}.
 */
public final class PendingCommit {

    /**
     * The part of a commit that touches one scope.
     *
     * @param storage where the added batches were written when they create the scope outside the
     *     table's own storage (a base URI), else null
     */
    public record ScopeDelta(
            List<SegmentEntry> added,
            List<String> removed,
            long flushedThroughSeq,
            boolean erased,
            String storage) {
        public ScopeDelta {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }
    }

    /**
     * A condition the table must still meet when the commit is made, checked against the newest
     * state on every attempt (a commit that lost a race is re-checked before it is rebased).
     * Compaction uses it to refuse dropping a tombstone when a batch with older versions appeared
     * meanwhile.
     */
    @FunctionalInterface
    public interface Precondition {
        /**
         * @return null if the commit still applies, else why not (the commit then fails with a
         *     {@link dev.tiered.state.CommitConflictException} naming it)
         */
        String violation(TableState state, ManifestStore manifests) throws IOException;
    }

    private final List<Precondition> preconditions = new ArrayList<>();
    private final String operation;
    private final String writerId;
    private final long checkpointId;
    private final List<HotSegmentRef> hotAdded = new ArrayList<>();
    private final List<String> hotRetired = new ArrayList<>();
    private final Map<ScopeId, ScopeDelta> scopes = new LinkedHashMap<>();
    private long maxSeq;

    /**
     * @param writerId who commits; with {@code checkpointId} it makes a recommit a no-op
     * @param checkpointId the writer's checkpoint, or -1 when not idempotent by checkpoint
     */
    public PendingCommit(String operation, String writerId, long checkpointId) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.writerId = Objects.requireNonNull(writerId, "writerId");
        this.checkpointId = checkpointId;
    }

    /**
     * The commit of a writers' delta: its hot segments and flushes ({@code flush} if it flushed
     * anything, {@code append} otherwise), idempotent by the delta's writer and checkpoint.
     */
    public static PendingCommit of(CommitDelta delta) {
        PendingCommit pending =
                new PendingCommit(
                        delta.flushes().isEmpty() ? "append" : "flush",
                        delta.writerId(),
                        delta.checkpointId());
        delta.hotSegments().forEach(pending::addHotSegment);
        for (CommitDelta.ScopeFlush flush : delta.flushes()) {
            pending.changeScope(
                    flush.scope(),
                    flush.added(),
                    List.of(),
                    flush.flushedThroughSeq(),
                    flush.storage());
        }
        pending.maxSeq = Math.max(pending.maxSeq, delta.maxSeq());
        return pending;
    }

    public PendingCommit addHotSegment(HotSegmentRef segment) {
        hotAdded.add(segment);
        maxSeq = Math.max(maxSeq, segment.maxSeq());
        return this;
    }

    public PendingCommit retireHotSegment(String path) {
        hotRetired.add(path);
        return this;
    }

    /**
     * Adds batches to a scope and removes others from it; {@code flushedThroughSeq} (or 0) raises
     * the scope's flushed-through bound.
     */
    public PendingCommit changeScope(
            ScopeId scope, List<SegmentEntry> added, List<String> removed, long flushedThroughSeq) {
        return changeScope(scope, added, removed, flushedThroughSeq, null);
    }

    /**
     * As {@link #changeScope(ScopeId, List, List, long)}, for batches written to {@code storage} (a
     * base URI, or null for the table's own storage): see {@link
     * dev.tiered.state.TieredTable#placeScope}. The commit fails if the scope exists elsewhere.
     */
    public PendingCommit changeScope(
            ScopeId scope,
            List<SegmentEntry> added,
            List<String> removed,
            long flushedThroughSeq,
            String storage) {
        if (scopes.containsKey(scope)) {
            throw new IllegalArgumentException(
                    "Cannot change scope " + scope + " twice in one commit");
        }
        scopes.put(scope, new ScopeDelta(added, removed, flushedThroughSeq, false, storage));
        for (SegmentEntry segment : added) {
            maxSeq = Math.max(maxSeq, segment.maxSeq());
        }
        return this;
    }

    /** Removes a scope entirely (erase a user); its batches are dropped from the table. */
    public PendingCommit eraseScope(ScopeId scope) {
        scopes.put(scope, new ScopeDelta(List.of(), List.of(), 0, true, null));
        return this;
    }

    /** Adds a condition checked on every commit attempt; see {@link Precondition}. */
    public PendingCommit require(Precondition precondition) {
        preconditions.add(Objects.requireNonNull(precondition, "precondition"));
        return this;
    }

    public List<Precondition> preconditions() {
        return List.copyOf(preconditions);
    }

    public String operation() {
        return operation;
    }

    public String writerId() {
        return writerId;
    }

    public long checkpointId() {
        return checkpointId;
    }

    public long maxSeq() {
        return maxSeq;
    }

    public List<HotSegmentRef> hotAdded() {
        return List.copyOf(hotAdded);
    }

    public List<String> hotRetired() {
        return List.copyOf(hotRetired);
    }

    public Map<ScopeId, ScopeDelta> scopes() {
        return new LinkedHashMap<>(scopes);
    }

    public boolean isEmpty() {
        return hotAdded.isEmpty() && hotRetired.isEmpty() && scopes.isEmpty();
    }
}
