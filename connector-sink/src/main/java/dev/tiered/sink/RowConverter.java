package dev.tiered.sink;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.data.RowData;

import java.io.Serializable;

/**
 * Turns a user type into a row of the table's physical row type (the table's columns in order,
 * Flink internal data: StringData, TimestampData, ...). The row kind says what the record does:
 * INSERT and UPDATE_AFTER upsert, DELETE deletes, UPDATE_BEFORE is ignored.
 *
 * <p>Called once per record on the write path: reuse the returned row if you can; the sink does not
 * keep it past the call.
 */
@PublicEvolving
@FunctionalInterface
public interface RowConverter<T> extends Serializable {
    RowData toRow(T value);
}
