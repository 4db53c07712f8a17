package dev.tiered.state.testing;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;

import org.apache.flink.table.data.RowData;

import java.util.List;

/** A {@link ChangeCursor} over versions held in memory. */
public final class ListCursor implements ChangeCursor {

    /** One stored version. */
    public record Version(ScopeId scope, long seq, ChangeOp op, RowData row) {}

    private final List<Version> versions;
    private int position = -1;
    private boolean closed;

    public ListCursor(List<Version> versions) {
        this.versions = List.copyOf(versions);
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean next() {
        position++;
        return position < versions.size();
    }

    private Version current() {
        return versions.get(position);
    }

    @Override
    public ScopeId scope() {
        return current().scope();
    }

    @Override
    public long seq() {
        return current().seq();
    }

    @Override
    public ChangeOp op() {
        return current().op();
    }

    @Override
    public RowData row() {
        return current().row();
    }

    @Override
    public void close() {
        closed = true;
    }
}
