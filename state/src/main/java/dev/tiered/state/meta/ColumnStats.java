package dev.tiered.state.meta;

/**
 * Min, max and null count of one column in one data file. Values are in Flink's internal data
 * format for the column's type (Long, StringData, DecimalData, TimestampData, Integer days for
 * DATE, ...); min and max are null when the file holds no non-null value.
 */
public record ColumnStats(Object min, Object max, long nullCount) {
    public ColumnStats {
        if (nullCount < 0) {
            throw new IllegalArgumentException("Cannot create column stats: negative null count");
        }
    }
}
