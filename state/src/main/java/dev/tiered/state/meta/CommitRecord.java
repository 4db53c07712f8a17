package dev.tiered.state.meta;

import java.util.List;
import java.util.Objects;

/**
 * One commit: the immutable {@code _log/<N>.json}. Writing it is the commit point; everything else
 * (manifest versions, {@code manifest.json}) can be re-derived from it.
 *
 * @param operation {@code append}, {@code flush}, {@code compact}, {@code erase_user}, {@code
 *     schema}, ...
 * @param writerId who committed (job and operator for a sink; a procedure name otherwise)
 * @param checkpointId the writer's checkpoint, or -1; (writerId, checkpointId) makes a recommit
 *     after failover a no-op
 * @param maxSeq the highest {@code _seq} in this commit's data (restored writers start above the
 *     table's highest), or 0
 * @param hotFlushed hot segments this commit made whose every change the same commit also flushed
 *     into batches: never live (no read of a table state needs them), listed so that change readers
 *     (streaming sources) find every change of the commit in {@link #changedSegments()}; referenced
 *     by this commit like {@code hotAdded} for retention and cleanup
 */
public record CommitRecord(
        long commit,
        String operation,
        String writerId,
        long checkpointId,
        long timestampMillis,
        int schemaVersion,
        long maxSeq,
        List<HotSegmentRef> hotAdded,
        List<String> hotRetired,
        List<ScopeChange> scopeChanges,
        List<HotSegmentRef> hotFlushed) {

    /** A commit without flushed-at-once hot segments. */
    public CommitRecord(
            long commit,
            String operation,
            String writerId,
            long checkpointId,
            long timestampMillis,
            int schemaVersion,
            long maxSeq,
            List<HotSegmentRef> hotAdded,
            List<String> hotRetired,
            List<ScopeChange> scopeChanges) {
        this(
                commit,
                operation,
                writerId,
                checkpointId,
                timestampMillis,
                schemaVersion,
                maxSeq,
                hotAdded,
                hotRetired,
                scopeChanges,
                List.of());
    }

    public CommitRecord {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(writerId, "writerId");
        hotAdded = List.copyOf(hotAdded);
        hotRetired = List.copyOf(hotRetired);
        scopeChanges = List.copyOf(scopeChanges);
        hotFlushed = List.copyOf(hotFlushed);
        if (commit <= 0) {
            throw new IllegalArgumentException("Cannot create commit record: commit must be > 0");
        }
    }

    /** The same record numbered {@code newCommit}, with its scope changes as given. */
    public CommitRecord renumbered(long newCommit, List<ScopeChange> rebasedChanges) {
        return new CommitRecord(
                newCommit,
                operation,
                writerId,
                checkpointId,
                timestampMillis,
                schemaVersion,
                maxSeq,
                hotAdded,
                hotRetired,
                rebasedChanges,
                hotFlushed);
    }

    /**
     * Every hot segment holding changes this commit made: {@code hotAdded} then {@code hotFlushed}.
     * Each change of the table is in exactly one commit's changed segments.
     */
    public List<HotSegmentRef> changedSegments() {
        if (hotFlushed.isEmpty()) {
            return hotAdded;
        }
        List<HotSegmentRef> all = new java.util.ArrayList<>(hotAdded);
        all.addAll(hotFlushed);
        return all;
    }
}
