package dev.tiered.sink.internal;

import dev.tiered.state.meta.CommitDelta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommitDeltaSerializerTest {
    @TempDir File dir;

    @Test
    void roundTrips() throws IOException {
        CommitDeltaSerializer serializer = new CommitDeltaSerializer(SinkFixtures.messages(dir));
        CommitDelta delta = SinkFixtures.delta(3, "h3", "alice", 3);
        CommitDelta back = serializer.deserialize(1, serializer.serialize(delta));
        assertThat(back.checkpointId()).isEqualTo(3);
        assertThat(back.hotSegments()).isEqualTo(delta.hotSegments());
        assertThat(back.flushes().get(0).flushedThroughSeq()).isEqualTo(39);
        assertThat(serializer.serialize(back)).isEqualTo(serializer.serialize(delta));
    }

    @Test
    void keepsTheStorageAFlushPlacedANewScopeIn() throws IOException {
        CommitDeltaSerializer serializer = new CommitDeltaSerializer(SinkFixtures.messages(dir));
        CommitDelta delta = SinkFixtures.delta(3, "h3", "alice", 3);
        CommitDelta.ScopeFlush flush = delta.flushes().get(0);
        CommitDelta placed =
                delta.withChanges(
                        delta.hotSegments(),
                        List.of(
                                new CommitDelta.ScopeFlush(
                                        flush.scope(),
                                        flush.added(),
                                        flush.flushedThroughSeq(),
                                        "s3://eu-bucket/warehouse")));

        CommitDelta back = serializer.deserialize(1, serializer.serialize(placed));

        assertThat(back.flushes().get(0).storage()).isEqualTo("s3://eu-bucket/warehouse");
        assertThat(
                        serializer
                                .deserialize(1, serializer.serialize(delta))
                                .flushes()
                                .get(0)
                                .storage())
                .isNull();
    }

    /** Bytes stored by version 1 stay readable. */
    @Test
    void readsStoredVersionOneBytes() throws IOException {
        CommitDeltaSerializer serializer = new CommitDeltaSerializer(SinkFixtures.messages(dir));
        byte[] stored;
        try (InputStream in = getClass().getResourceAsStream("/commit-delta-v1.json")) {
            stored = in.readAllBytes();
        }
        CommitDelta delta = serializer.deserialize(1, stored);
        assertThat(serializer.serialize(delta))
                .isEqualTo(serializer.serialize(SinkFixtures.delta(3, "h3", "alice", 3)));
        assertThatThrownBy(() -> serializer.deserialize(2, stored))
                .hasMessage("Unknown version: 2");
    }
}
