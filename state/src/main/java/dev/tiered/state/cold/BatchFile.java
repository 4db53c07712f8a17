package dev.tiered.state.cold;

import org.apache.flink.table.types.logical.LogicalType;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a finished cold batch holds, as its scope manifest records it ({@code segments[]} of DESIGN
 * §3). Returned by {@link BatchWriter#finish()}.
 *
 * @param fileName the file name within the scope directory ({@code batch-N.parquet})
 * @param sizeBytes the file's length in bytes
 * @param rowCount the rows in the file, tombstones included
 * @param minSeq the smallest {@code _seq} in the file
 * @param maxSeq the largest {@code _seq} in the file
 * @param columnStats the primary key's statistics first, then those of the columns the writer was
 *     asked for ({@link BatchWriter.Options#statsColumns()}), in that order
 */
public record BatchFile(
        String fileName,
        long sizeBytes,
        long rowCount,
        long minSeq,
        long maxSeq,
        List<ColumnStats> columnStats) {

    public BatchFile {
        Objects.requireNonNull(fileName, "fileName");
        if (sizeBytes <= 0 || rowCount <= 0 || minSeq > maxSeq) {
            throw new IllegalArgumentException(
                    "Cannot describe batch "
                            + fileName
                            + ": needs size > 0, rows > 0 and min_seq <= max_seq");
        }
        columnStats = List.copyOf(columnStats);
    }

    /** The statistics of a column, if the writer collected them. */
    public Optional<ColumnStats> stats(String column) {
        return columnStats.stream().filter(s -> s.column().equals(column)).findFirst();
    }

    /**
     * The min/max/null count of one column over the whole file, taken from Parquet's row-group
     * statistics. Values are held as <b>canonical text</b>, ready for a JSON manifest: strings as
     * they are, BINARY as Base64, numbers and DECIMAL in plain decimal notation, BOOLEAN as {@code
     * true}/{@code false}, DATE/TIME/TIMESTAMP in ISO-8601 local form ({@code 2024-05-01}, {@code
     * 10:15:30.25}, {@code 2024-05-01T10:15:30.123456}) and TIMESTAMP_LTZ as an ISO instant ({@code
     * 2024-05-01T10:15:30.123456Z}). {@link #minValue}/{@link #maxValue} turn the text back into
     * Flink's internal value of the column's type, exactly.
     *
     * @param min the smallest non-null value, or null when the column holds only nulls
     * @param max the largest non-null value, or null when the column holds only nulls
     * @param nullCount the null values in the column (tombstones count: they hold only the key)
     */
    public record ColumnStats(String column, String min, String max, long nullCount) {
        public ColumnStats {
            Objects.requireNonNull(column, "column");
            if ((min == null) != (max == null) || nullCount < 0) {
                throw new IllegalArgumentException(
                        "Cannot describe statistics of column "
                                + column
                                + ": min and max must both be set or both be null");
            }
        }

        /** The minimum as Flink's internal value ({@code StringData}, {@code Long}, ...). */
        public Object minValue(LogicalType type) {
            return ParquetValues.fromText(min, type);
        }

        /** The maximum as Flink's internal value ({@code StringData}, {@code Long}, ...). */
        public Object maxValue(LogicalType type) {
            return ParquetValues.fromText(max, type);
        }

        /** Canonical text of a Flink internal value, as {@link #min()} and {@link #max()} hold. */
        public static String toText(Object value, LogicalType type) {
            return ParquetValues.toText(value, type);
        }
    }
}
