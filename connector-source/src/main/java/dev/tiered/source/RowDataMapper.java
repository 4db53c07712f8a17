package dev.tiered.source;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.data.RowData;

import java.io.Serializable;

/**
 * Turns the rows a {@link TieredSource} reads into a user type. The row is reused by the source
 * after the call returns: copy what the result keeps (for example with {@code
 * row.getString(i).toString()}). Its {@code RowKind} says what the change is.
 */
@PublicEvolving
@FunctionalInterface
public interface RowDataMapper<T> extends Serializable {
    T map(RowData row) throws Exception;
}
