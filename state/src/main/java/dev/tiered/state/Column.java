package dev.tiered.state;

import org.apache.flink.table.types.logical.LogicalType;

import java.util.Objects;

/**
 * One column of a table. The {@code id} is stable for the life of the table (statistics and old
 * files are keyed by it, so a later rename keeps them valid); a new column gets the next id.
 */
public record Column(int id, String name, LogicalType type) {
    public Column {
        if (id <= 0) {
            throw new IllegalArgumentException("Cannot create column " + name + ": id must be > 0");
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}
