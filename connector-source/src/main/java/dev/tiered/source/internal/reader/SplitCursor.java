package dev.tiered.source.internal.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.RowData;

import java.io.Closeable;
import java.io.IOException;

/**
 * The rows a split emits, in a deterministic order (a restored split skips the rows it already
 * emitted). {@link #row()} is the produced row (projected, with its {@code RowKind}), reused: valid
 * until the next {@link #next()}. Owns its files: close it.
 */
@Internal
public interface SplitCursor extends Closeable {
    boolean next() throws IOException;

    RowData row();
}
