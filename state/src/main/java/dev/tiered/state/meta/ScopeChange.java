package dev.tiered.state.meta;

import dev.tiered.state.ScopeId;

import java.util.List;
import java.util.Objects;

/**
 * What one commit does to one scope: the manifest version it creates, the batches it adds and
 * removes, and how far the scope is now flushed. An {@code erased} change removes the scope.
 *
 * @param storage the base URI of the storage the scope directory lives in, set only by the change
 *     that creates a scope outside the table's own storage ({@code USE_USER_STORAGE}); null
 *     otherwise
 */
public record ScopeChange(
        ScopeId scope,
        long version,
        List<SegmentEntry> addedSegments,
        List<String> removedSegments,
        long flushedThroughSeq,
        boolean erased,
        String storage) {

    public ScopeChange {
        Objects.requireNonNull(scope, "scope");
        addedSegments = List.copyOf(addedSegments);
        removedSegments = List.copyOf(removedSegments);
    }

    /** A change of a scope in the table's own storage. */
    public ScopeChange(
            ScopeId scope,
            long version,
            List<SegmentEntry> addedSegments,
            List<String> removedSegments,
            long flushedThroughSeq,
            boolean erased) {
        this(scope, version, addedSegments, removedSegments, flushedThroughSeq, erased, null);
    }

    /** The same change rebased onto another manifest version (after a lost commit race). */
    public ScopeChange withVersion(long newVersion) {
        return new ScopeChange(
                scope,
                newVersion,
                addedSegments,
                removedSegments,
                flushedThroughSeq,
                erased,
                storage);
    }
}
