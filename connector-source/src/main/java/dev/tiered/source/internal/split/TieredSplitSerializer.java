package dev.tiered.source.internal.split;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Serializes {@link TieredSplit}s (reader state and split assignment). Version 2 adds the key span
 * after the version-1 fields; version 1 is read as a split of all of a scope's keys.
 */
@Internal
public final class TieredSplitSerializer implements SimpleVersionedSerializer<TieredSplit> {
    public static final TieredSplitSerializer INSTANCE = new TieredSplitSerializer();
    public static final int VERSION = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(TieredSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public TieredSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 && version != VERSION) {
            throw new IOException("Unknown version: " + version);
        }
        return read(new DataInputDeserializer(serialized), version);
    }

    /** Writes a split in the current layout (also used inside the enumerator state). */
    static void write(TieredSplit split, DataOutputView out) throws IOException {
        out.writeByte(split.kind().ordinal());
        out.writeBoolean(split.userId() != null);
        if (split.userId() != null) {
            out.writeUTF(split.userId());
        }
        out.writeLong(split.commit());
        writeNames(split.batches(), out);
        writeNames(split.hotSegments(), out);
        out.writeLong(split.flushedThroughSeq());
        out.writeLong(split.commitMillis());
        out.writeLong(split.sizeBytes());
        out.writeLong(split.position());
        TieredSplit.KeySpan span = split.keySpan();
        out.writeBoolean(span != null);
        if (span != null) {
            writeBound(span.lower(), out);
            writeBound(span.upper(), out);
        }
    }

    /** Reads a split written in the layout of {@code version}. */
    static TieredSplit read(DataInputView in, int version) throws IOException {
        int kind = in.readByte();
        if (kind < 0 || kind >= TieredSplit.Kind.values().length) {
            throw new IOException("Cannot read split: unknown kind " + kind);
        }
        String userId = in.readBoolean() ? in.readUTF() : null;
        long commit = in.readLong();
        List<String> batches = readNames(in);
        List<String> hot = readNames(in);
        long flushedThroughSeq = in.readLong();
        long commitMillis = in.readLong();
        long sizeBytes = in.readLong();
        long position = in.readLong();
        TieredSplit.KeySpan span =
                version >= 2 && in.readBoolean()
                        ? new TieredSplit.KeySpan(readBound(in), readBound(in))
                        : null;
        return new TieredSplit(
                TieredSplit.Kind.values()[kind],
                userId,
                commit,
                batches,
                hot,
                flushedThroughSeq,
                commitMillis,
                sizeBytes,
                position,
                span);
    }

    private static void writeBound(Long bound, DataOutputView out) throws IOException {
        out.writeBoolean(bound != null);
        if (bound != null) {
            out.writeLong(bound);
        }
    }

    private static Long readBound(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    private static void writeNames(List<String> names, DataOutputView out) throws IOException {
        out.writeInt(names.size());
        for (String name : names) {
            out.writeUTF(name);
        }
    }

    private static List<String> readNames(DataInputView in) throws IOException {
        int n = in.readInt();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(in.readUTF());
        }
        return names;
    }
}
