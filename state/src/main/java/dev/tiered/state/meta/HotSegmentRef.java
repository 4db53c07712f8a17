package dev.tiered.state.meta;

import dev.tiered.state.ScopeId;

import java.util.List;
import java.util.Objects;

/**
 * A committed hot segment: the changes one writer made in one checkpoint.
 *
 * @param path file name under the table's {@code _hot/} directory
 * @param scopes every scope with a change in the file (restore and reads skip the others)
 */
public record HotSegmentRef(
        String path,
        String writerId,
        long checkpointId,
        long minSeq,
        long maxSeq,
        long rowCount,
        long sizeBytes,
        List<ScopeId> scopes) {

    public HotSegmentRef {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(writerId, "writerId");
        scopes = List.copyOf(scopes);
    }
}
