package dev.tiered.state.cold;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link BatchReader} reads: which columns, and which keys.
 *
 * @param columns the table columns to read, or null for all of them; the primary key, {@code _seq}
 *     and {@code _deleted} are always read, and the columns not read are null in the rows
 * @param keyRange the keys to read; row groups whose statistics (and, for a point, whose key bloom
 *     filter) exclude the range are not read at all
 */
public record BatchReadSpec(List<String> columns, KeyRange keyRange) {
    public BatchReadSpec {
        columns = columns == null ? null : List.copyOf(columns);
        Objects.requireNonNull(keyRange, "keyRange");
    }

    /** Every column of every row. */
    public static BatchReadSpec all() {
        return new BatchReadSpec(null, KeyRange.ALL);
    }

    public BatchReadSpec withColumns(String... names) {
        return new BatchReadSpec(List.of(names), keyRange);
    }

    public BatchReadSpec withKeyRange(KeyRange range) {
        return new BatchReadSpec(columns, range);
    }

    /** Only the versions of one key (a point lookup). */
    public BatchReadSpec withKey(Object key) {
        return withKeyRange(KeyRange.point(key));
    }
}
