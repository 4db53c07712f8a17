package dev.tiered.source.internal.split;

import dev.tiered.state.ScopeId;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Serializes the enumerator checkpoint. Version 2: planned-through commit, pending splits (split
 * layout 2), the commit of a snapshot in progress (-1 if none) and its unplanned scopes (a flag and
 * the user id; no user id for the shared scope). Version 1 (split layout 1, no snapshot part) is
 * read as a state with no snapshot in progress.
 */
@Internal
public final class EnumStateSerializer implements SimpleVersionedSerializer<EnumState> {
    public static final EnumStateSerializer INSTANCE = new EnumStateSerializer();
    public static final int VERSION = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(EnumState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeLong(state.plannedThrough());
        out.writeInt(state.pending().size());
        for (TieredSplit split : state.pending()) {
            TieredSplitSerializer.write(split, out);
        }
        out.writeLong(state.snapshotCommit());
        out.writeInt(state.unplannedScopes().size());
        for (ScopeId scope : state.unplannedScopes()) {
            out.writeBoolean(scope.isShared());
            if (!scope.isShared()) {
                out.writeUTF(scope.userId());
            }
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public EnumState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 && version != VERSION) {
            throw new IOException("Unknown version: " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        long plannedThrough = in.readLong();
        int n = in.readInt();
        List<TieredSplit> pending = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pending.add(TieredSplitSerializer.read(in, version));
        }
        if (version == 1) {
            return new EnumState(plannedThrough, pending);
        }
        long snapshotCommit = in.readLong();
        int scopes = in.readInt();
        List<ScopeId> unplanned = new ArrayList<>(scopes);
        for (int i = 0; i < scopes; i++) {
            unplanned.add(in.readBoolean() ? ScopeId.SHARED : ScopeId.user(in.readUTF()));
        }
        return new EnumState(plannedThrough, pending, snapshotCommit, unplanned);
    }
}
