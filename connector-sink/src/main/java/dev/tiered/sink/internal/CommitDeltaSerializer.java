package dev.tiered.sink.internal;

import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.meta.CommitRecordParser;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;

/**
 * Write results and committables of the tiered sink. Version 1 is the commit-delta JSON of {@link
 * CommitRecordParser#deltaToJson} (the field names of a commit record).
 */
@Internal
public final class CommitDeltaSerializer implements SimpleVersionedSerializer<CommitDelta> {
    static final int VERSION = 1;

    private final TableHandle table;

    public CommitDeltaSerializer(TableHandle table) {
        this.table = table;
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(CommitDelta delta) {
        return CommitRecordParser.deltaToJson(delta, table.columnTypes());
    }

    @Override
    public CommitDelta deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("Unknown version: " + version);
        }
        try {
            return CommitRecordParser.deltaFromJson(serialized, table.columnTypes());
        } catch (IllegalArgumentException e) {
            throw new IOException("Cannot read commit delta of " + table.tableId(), e);
        }
    }
}
