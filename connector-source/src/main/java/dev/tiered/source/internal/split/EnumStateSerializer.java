package dev.tiered.source.internal.split;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Serializes the enumerator checkpoint. Version 1: planned-through commit, pending splits. */
@Internal
public final class EnumStateSerializer implements SimpleVersionedSerializer<EnumState> {
    public static final EnumStateSerializer INSTANCE = new EnumStateSerializer();
    public static final int VERSION = 1;

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
        return out.getCopyOfBuffer();
    }

    @Override
    public EnumState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("Unknown version: " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        long plannedThrough = in.readLong();
        int n = in.readInt();
        List<TieredSplit> pending = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pending.add(TieredSplitSerializer.read(in));
        }
        return new EnumState(plannedThrough, pending);
    }
}
