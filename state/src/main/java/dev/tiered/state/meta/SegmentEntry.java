package dev.tiered.state.meta;

import java.util.Map;
import java.util.Objects;

/**
 * One cold batch of a scope, as its manifest lists it (KalamDB's {@code SegmentMetadata}).
 *
 * @param id equals the file name, e.g. {@code batch-3.parquet}
 * @param path the file name relative to the scope directory
 * @param minSeq lowest {@code _seq} in the file
 * @param maxSeq highest {@code _seq} in the file
 * @param sizeBytes the file's length
 * @param columnStats by column id: the primary key and the table's sort/time columns
 * @param schemaVersion the table definition version the file was written with
 * @param status {@code committed} (the only status readers read)
 */
public record SegmentEntry(
        String id,
        String path,
        long minSeq,
        long maxSeq,
        long rowCount,
        long sizeBytes,
        long createdAt,
        Map<Integer, ColumnStats> columnStats,
        int schemaVersion,
        String status) {

    public static final String COMMITTED = "committed";

    public SegmentEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(status, "status");
        columnStats = Map.copyOf(columnStats);
        if (minSeq > maxSeq || rowCount < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException(
                    "Cannot create segment entry " + id + ": inconsistent seq range or counts");
        }
    }
}
