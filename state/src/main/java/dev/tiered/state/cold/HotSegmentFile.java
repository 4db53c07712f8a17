package dev.tiered.state.cold;

import dev.tiered.state.ScopeId;

import java.util.Objects;
import java.util.Set;

/**
 * What a finished hot segment holds, as the commit record lists it. Returned by {@link
 * HotSegmentWriter#finish()}.
 *
 * @param fileName the file name within {@code _hot/}
 * @param sizeBytes the file's length in bytes
 * @param rowCount the changes in the file
 * @param minSeq the smallest {@code _seq} in the file
 * @param maxSeq the largest {@code _seq} in the file
 * @param scopes every scope with a change in the file (restore reads only segments that hold a
 *     scope it owns)
 */
public record HotSegmentFile(
        String fileName,
        long sizeBytes,
        long rowCount,
        long minSeq,
        long maxSeq,
        Set<ScopeId> scopes) {

    public HotSegmentFile {
        Objects.requireNonNull(fileName, "fileName");
        if (sizeBytes <= 0 || rowCount <= 0 || minSeq > maxSeq) {
            throw new IllegalArgumentException(
                    "Cannot describe hot segment "
                            + fileName
                            + ": needs size > 0, rows > 0 and min_seq <= max_seq");
        }
        scopes = Set.copyOf(scopes);
    }
}
