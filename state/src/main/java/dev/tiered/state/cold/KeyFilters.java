package dev.tiered.state.cold;

import org.apache.flink.table.types.logical.LogicalType;

import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.io.api.Binary;

/**
 * A {@link KeyRange} as a Parquet filter on the key column, for page-level skipping with the column
 * index. Parquet compares with the column's own order, which is the key order of {@link KeyOrder}.
 */
final class KeyFilters {
    private KeyFilters() {}

    /**
     * The filter {@code lower <= key <= upper}, or null when there is nothing to filter (all keys,
     * a BOOLEAN key, or a column name Parquet's filter API would read as a nested path).
     */
    static FilterCompat.Filter of(String column, KeyRange range, LogicalType type) {
        if (range.isAll() || column.contains(".")) {
            return null;
        }
        Object lower = ParquetValues.toParquet(range.lower(), type);
        Object upper = ParquetValues.toParquet(range.upper(), type);
        Object sample = lower != null ? lower : upper;
        FilterPredicate predicate;
        if (sample instanceof Integer) {
            predicate = between(FilterApi.intColumn(column), (Integer) lower, (Integer) upper);
        } else if (sample instanceof Long) {
            predicate = between(FilterApi.longColumn(column), (Long) lower, (Long) upper);
        } else if (sample instanceof Float) {
            predicate = between(FilterApi.floatColumn(column), (Float) lower, (Float) upper);
        } else if (sample instanceof Double) {
            predicate = between(FilterApi.doubleColumn(column), (Double) lower, (Double) upper);
        } else if (sample instanceof Binary) {
            predicate = between(FilterApi.binaryColumn(column), (Binary) lower, (Binary) upper);
        } else {
            return null;
        }
        return FilterCompat.get(predicate);
    }

    private static <T extends Comparable<T>, C extends Operators.Column<T> & Operators.SupportsLtGt>
            FilterPredicate between(C column, T lower, T upper) {
        FilterPredicate low = lower == null ? null : FilterApi.gtEq(column, lower);
        FilterPredicate high = upper == null ? null : FilterApi.ltEq(column, upper);
        if (low == null) {
            return high;
        }
        return high == null ? low : FilterApi.and(low, high);
    }
}
