package dev.tiered.state.meta;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One version of a scope's {@code manifest.json} (KalamDB-shaped): the cold batches of the scope
 * and how far its changes have been flushed. Each version is also stored as the immutable {@code
 * manifest-v<version>.json}; readers pinned to a commit read the version that commit names.
 *
 * @param userId the owner, null for the shared scope
 * @param version 1 for the first commit that touched the scope, +1 for every later one
 * @param lastSequenceNumber the highest {@code batch-N} number listed (KalamDB's batch counter)
 * @param lastCommit the commit that wrote this version
 * @param flushedThroughSeq every change of the scope with {@code _seq} at or below it is in the
 *     listed batches; hot segments are read only above it
 */
public record ScopeManifest(
        String tableId,
        String userId,
        long version,
        long createdAt,
        long updatedAt,
        List<SegmentEntry> segments,
        long lastSequenceNumber,
        long lastCommit,
        long flushedThroughSeq) {

    public ScopeManifest {
        Objects.requireNonNull(tableId, "tableId");
        segments = List.copyOf(segments);
    }

    /** The manifest of a scope no commit has touched. */
    public static ScopeManifest empty(String tableId, String userId) {
        return new ScopeManifest(tableId, userId, 0, 0, 0, List.of(), 0, 0, 0);
    }

    /**
     * The next version: this one with a commit's change applied. A pure function, so anyone who
     * re-derives a missing version (roll-forward) writes the same bytes.
     *
     * @throws IllegalStateException if the change removes a segment this version does not list
     */
    public ScopeManifest apply(ScopeChange change, long commit, long commitTimeMillis) {
        if (change.version() != version + 1) {
            throw new IllegalStateException(
                    "Cannot apply change to manifest of "
                            + tableId
                            + " scope "
                            + userId
                            + ": change is for version "
                            + change.version()
                            + " but the manifest is at "
                            + version);
        }
        Set<String> removed = new HashSet<>(change.removedSegments());
        List<SegmentEntry> next = new ArrayList<>(segments.size() + change.addedSegments().size());
        for (SegmentEntry segment : segments) {
            if (!removed.remove(segment.id())) {
                next.add(segment);
            }
        }
        if (!removed.isEmpty()) {
            throw new IllegalStateException(
                    "Cannot apply change to manifest of "
                            + tableId
                            + " scope "
                            + userId
                            + ": segments "
                            + removed
                            + " are not listed");
        }
        long lastNumber = lastSequenceNumber;
        for (SegmentEntry added : change.addedSegments()) {
            next.add(added);
            lastNumber = Math.max(lastNumber, batchNumber(added.id()));
        }
        return new ScopeManifest(
                tableId,
                userId,
                change.version(),
                version == 0 ? commitTimeMillis : createdAt,
                commitTimeMillis,
                next,
                lastNumber,
                commit,
                Math.max(flushedThroughSeq, change.flushedThroughSeq()));
    }

    /** N of {@code batch-N.parquet}, or 0 for other names. */
    static long batchNumber(String fileName) {
        if (fileName.startsWith("batch-") && fileName.endsWith(".parquet")) {
            try {
                return Long.parseLong(fileName.substring(6, fileName.length() - 8));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
