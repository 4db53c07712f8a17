package dev.tiered.source.internal.split;

import dev.tiered.state.ScopeId;
import dev.tiered.state.cold.KeyRange;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.table.types.logical.LogicalType;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One unit of reading: one scope's files at one commit, so that a scope's merge happens in one
 * reader; for a bounded read of a large scope with an integer key, one part of the scope's key
 * space ({@link KeySpan}), so that several readers share it (a key's versions all lie in one part).
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
 * @param keySpan the part of the scope's keys a snapshot split reads, or null for all of them
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
        long position,
        KeySpan keySpan)
        implements SourceSplit, Comparable<TieredSplit> {

    /**
     * A range of an integer key (TINYINT, SMALLINT, INT or BIGINT), both bounds inclusive; a null
     * bound is unbounded.
     */
    public record KeySpan(Long lower, Long upper) {
        public KeySpan {
            if (lower != null && upper != null && lower > upper) {
                throw new IllegalArgumentException(
                        "Cannot create key span: lower bound " + lower + " > upper " + upper);
            }
        }

        /** Whether {@code type} is a key type a span can part. */
        public static boolean fits(LogicalType type) {
            return switch (type.getTypeRoot()) {
                case TINYINT, SMALLINT, INTEGER, BIGINT -> true;
                default -> false;
            };
        }

        /** The span as a key range of internal values of {@code type} (see {@link #fits}). */
        public KeyRange toKeyRange(LogicalType type) {
            return KeyRange.between(internal(lower, type), internal(upper, type));
        }

        private static Object internal(Long bound, LogicalType type) {
            if (bound == null) {
                return null;
            }
            return switch (type.getTypeRoot()) {
                case TINYINT -> bound.byteValue();
                case SMALLINT -> bound.shortValue();
                case INTEGER -> bound.intValue();
                case BIGINT -> bound;
                default -> throw new IllegalArgumentException("Cannot part keys of type " + type);
            };
        }
    }

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
                0,
                null);
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
                0,
                null);
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
                newPosition,
                keySpan);
    }

    /**
     * A part of this snapshot split: the keys of {@code span}, read from {@code partBatches} (those
     * of this split whose keys may lie in the span) and every hot segment of this split.
     */
    public TieredSplit part(KeySpan span, List<String> partBatches, long bytes) {
        if (kind != Kind.SNAPSHOT) {
            throw new IllegalStateException("Only a snapshot split reads a part of the keys");
        }
        return new TieredSplit(
                kind,
                userId,
                commit,
                partBatches,
                hotSegments,
                flushedThroughSeq,
                commitMillis,
                bytes,
                position,
                span);
    }

    @Override
    public String splitId() {
        return (kind == Kind.SNAPSHOT ? "snapshot-" : "changes-")
                + commit
                + "-"
                + (userId == null ? "_shared" : "u:" + userId)
                + (keySpan == null
                        ? ""
                        : "-k" + (keySpan.lower() == null ? "min" : keySpan.lower()));
    }

    /**
     * The order splits of one scope must be read in: by commit, a snapshot before the changes of
     * the same commit number (there are none: changes start after the pinned commit), then scope,
     * then the parts of a scope's keys from the lowest.
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
        int byScope = scope().compareTo(other.scope());
        if (byScope != 0) {
            return byScope;
        }
        return Comparator.nullsFirst(
                        Comparator.comparing(
                                KeySpan::lower, Comparator.nullsFirst(Comparator.naturalOrder())))
                .compare(keySpan, other.keySpan);
    }
}
