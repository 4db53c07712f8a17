package dev.tiered.state.cold;

import dev.tiered.state.ChangeOp;

import org.apache.flink.table.data.RowData;

/**
 * The one mutable change a writer hands to Parquet for each row: set, written, set again. Saves an
 * allocation per row on the write path. Confined to its writer's thread.
 */
final class ChangeRecord {
    RowData row;
    long seq;
    ChangeOp op;

    /** Hot segments: the UTF-8 user id of the change's scope, or null for the shared scope. */
    byte[] scope;

    ChangeRecord set(RowData row, long seq, ChangeOp op) {
        this.row = row;
        this.seq = seq;
        this.op = op;
        return this;
    }
}
