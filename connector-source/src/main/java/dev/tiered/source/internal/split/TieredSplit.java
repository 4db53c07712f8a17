package dev.tiered.source.internal.split;

import dev.tiered.state.ScopeId;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

import java.util.List;
import java.util.Objects;

/**
 * One unit of reading: one scope's files at one commit, so that a scope's merge happens in one
 * reader.
 *
 * <ul>
 *   <li>{@link Kind#SNAPSHOT}: the scope as of the pinned {@code commit}: the merge of its cold
 *       {@code batches} and of its live {@code hotSegments} above {@code flushedThroughSeq}.
 *   <li>{@link Kind#CHANGES}: the changes commit {@code commit} made to the scope: its rows in the
 *       {@code hotSegments} that commit added, emitted as a changelog.
 * </ul>
 *
 * @param userId the scope's owner, null for the shared scope
 * @param batches cold batches: file names in the scope directory, or full paths for a scope kept in
 *     a user storage (see {@code ScopeReader.batchLocation})
 * @param hotSegments hot segment file names, relative to the table's {@code _hot/} directory
 * @param commitMillis the commit's time (freshness metric)
 * @param sizeBytes the total size of the files (bytes-read metric)
 * @param position rows of the split already emitted; a restored reader skips them (the read of a
 *     split is deterministic)
 */
@Internal
public record TieredSplit(
        Kind kind,
        String userId,
        long commit,
        List<String> batches,
        List<String> hotSegments,
        long flushedThroughSeq,
        long commitMillis,
        long sizeBytes,
        long position)
        implements SourceSplit, Comparable<TieredSplit> {

    /** What a split reads. */
    public enum Kind {
        SNAPSHOT,
        CHANGES
    }

    public TieredSplit {
        Objects.requireNonNull(kind, "kind");
        batches = List.copyOf(batches);
        hotSegments = List.copyOf(hotSegments);
        if (position < 0) {
            throw new IllegalArgumentException("Cannot create split: negative position");
        }
    }

    public static TieredSplit snapshot(
            ScopeId scope,
            long commit,
            List<String> batches,
            List<String> hotSegments,
            long flushedThroughSeq,
            long commitMillis,
            long sizeBytes) {
        return new TieredSplit(
                Kind.SNAPSHOT,
                scope.userId(),
                commit,
                batches,
                hotSegments,
                flushedThroughSeq,
                commitMillis,
                sizeBytes,
                0);
    }

    public static TieredSplit changes(
            ScopeId scope,
            long commit,
            List<String> hotSegments,
            long commitMillis,
            long sizeBytes) {
        return new TieredSplit(
                Kind.CHANGES,
                scope.userId(),
                commit,
                List.of(),
                hotSegments,
                0,
                commitMillis,
                sizeBytes,
                0);
    }

    public ScopeId scope() {
        return userId == null ? ScopeId.SHARED : ScopeId.user(userId);
    }

    /** This split with {@code newPosition} rows already emitted. */
    public TieredSplit withPosition(long newPosition) {
        return new TieredSplit(
                kind,
                userId,
                commit,
                batches,
                hotSegments,
                flushedThroughSeq,
                commitMillis,
                sizeBytes,
                newPosition);
    }

    @Override
    public String splitId() {
        return (kind == Kind.SNAPSHOT ? "snapshot-" : "changes-")
                + commit
                + "-"
                + (userId == null ? "_shared" : "u:" + userId);
    }

    /**
     * The order splits of one scope must be read in: by commit, a snapshot before the changes of
     * the same commit number (there are none: changes start after the pinned commit), then scope.
     */
    @Override
    public int compareTo(TieredSplit other) {
        int byCommit = Long.compare(commit, other.commit);
        if (byCommit != 0) {
            return byCommit;
        }
        int byKind = kind.compareTo(other.kind);
        if (byKind != 0) {
            return byKind;
        }
        return scope().compareTo(other.scope());
    }
}
