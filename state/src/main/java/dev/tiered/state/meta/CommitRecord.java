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
        List<ScopeChange> scopeChanges) {

    public CommitRecord {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(writerId, "writerId");
        hotAdded = List.copyOf(hotAdded);
        hotRetired = List.copyOf(hotRetired);
        scopeChanges = List.copyOf(scopeChanges);
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
                rebasedChanges);
    }
}
