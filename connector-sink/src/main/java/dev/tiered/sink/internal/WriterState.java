package dev.tiered.sink.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A writer's Flink state: only the highest {@code _seq} it handed out, so a restored writer
 * continues above it. Everything else a writer holds is rebuilt from the table's committed hot
 * segments (DESIGN §5), which also makes rescaling free of state redistribution rules.
 */
@Internal
public record WriterState(long lastSeq) {

    /** Version 1: the 8 bytes of {@code lastSeq}, big-endian. */
    public static final class Serializer implements SimpleVersionedSerializer<WriterState> {
        static final int VERSION = 1;

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(WriterState state) {
            return ByteBuffer.allocate(8).putLong(state.lastSeq()).array();
        }

        @Override
        public WriterState deserialize(int version, byte[] serialized) throws IOException {
            if (version != VERSION) {
                throw new IOException("Unknown version: " + version);
            }
            if (serialized.length != 8) {
                throw new IOException("Cannot read writer state: " + serialized.length + " bytes");
            }
            return new WriterState(ByteBuffer.wrap(serialized).getLong());
        }
    }
}
