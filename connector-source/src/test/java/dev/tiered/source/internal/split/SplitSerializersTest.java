package dev.tiered.source.internal.split;

import dev.tiered.state.ScopeId;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Splits and enumerator state survive serialization, and version-1 bytes stored in {@code
 * src/test/resources} still read (regenerate them with {@code -Dgolden.write=true} only when the
 * format version changes).
 */
class SplitSerializersTest {
    static final TieredSplit SNAPSHOT =
            TieredSplit.snapshot(
                            ScopeId.user("alice@example.com"),
                            17,
                            List.of("batch-1.parquet", "batch-3.parquet"),
                            List.of("w0-c5-1.avro"),
                            12345L,
                            1_714_800_000_000L,
                            4096)
                    .withPosition(42);
    static final TieredSplit CHANGES =
            TieredSplit.changes(
                    ScopeId.SHARED, 18, List.of("w1-c6-1.avro"), 1_714_800_001_000L, 77);

    /** A part of a scope's keys: ids 100..199. */
    static final TieredSplit PART =
            SNAPSHOT.part(new TieredSplit.KeySpan(100L, 199L), List.of("batch-3.parquet"), 1024);

    @Test
    void splitsRoundTrip() throws IOException {
        TieredSplit firstPart =
                SNAPSHOT.part(new TieredSplit.KeySpan(null, 99L), SNAPSHOT.batches(), 2048);
        TieredSplit lastPart = SNAPSHOT.part(new TieredSplit.KeySpan(200L, null), List.of(), 0);
        for (TieredSplit split : List.of(SNAPSHOT, CHANGES, PART, firstPart, lastPart)) {
            byte[] bytes = TieredSplitSerializer.INSTANCE.serialize(split);
            assertThat(TieredSplitSerializer.INSTANCE.deserialize(2, bytes)).isEqualTo(split);
        }
        assertThat(PART.splitId()).isEqualTo("snapshot-17-u:alice@example.com-k100");
        assertThat(firstPart.splitId()).isEqualTo("snapshot-17-u:alice@example.com-kmin");
        assertThat(List.of(lastPart, PART, firstPart, SNAPSHOT).stream().sorted())
                .as("the whole scope, then its parts from the lowest keys")
                .containsExactly(SNAPSHOT, firstPart, PART, lastPart);
        assertThat(SNAPSHOT.scope()).isEqualTo(ScopeId.user("alice@example.com"));
        assertThat(CHANGES.scope()).isEqualTo(ScopeId.SHARED);
        assertThat(SNAPSHOT.splitId()).isEqualTo("snapshot-17-u:alice@example.com");
        assertThat(CHANGES.splitId()).isEqualTo("changes-18-_shared");
    }

    /** A snapshot at commit 17 being planned: one part planned, two scopes not yet. */
    static final EnumState PLANNING =
            new EnumState(
                    -1,
                    List.of(SNAPSHOT, PART),
                    17,
                    List.of(ScopeId.user("bob@example.com"), ScopeId.user("carol")));

    @Test
    void enumStateRoundTrips() throws IOException {
        int version = EnumStateSerializer.VERSION;
        for (EnumState state :
                List.of(
                        new EnumState(18, List.of(SNAPSHOT, CHANGES)),
                        PLANNING,
                        EnumState.initial())) {
            byte[] bytes = EnumStateSerializer.INSTANCE.serialize(state);
            assertThat(EnumStateSerializer.INSTANCE.deserialize(version, bytes)).isEqualTo(state);
        }
        EnumState sharedScopeUnplanned = new EnumState(-1, List.of(), 3, List.of(ScopeId.SHARED));
        assertThat(
                        EnumStateSerializer.INSTANCE.deserialize(
                                version,
                                EnumStateSerializer.INSTANCE.serialize(sharedScopeUnplanned)))
                .isEqualTo(sharedScopeUnplanned);
    }

    @Test
    void storedVersion1BytesStillRead() throws IOException {
        byte[] split = golden("split-v1.bin", null); // written by version 1 only
        assertThat(TieredSplitSerializer.INSTANCE.deserialize(1, split)).isEqualTo(SNAPSHOT);
        EnumState state = new EnumState(18, List.of(SNAPSHOT, CHANGES));
        byte[] enumState = golden("enum-state-v1.bin", null); // written by version 1 only
        assertThat(EnumStateSerializer.INSTANCE.deserialize(1, enumState)).isEqualTo(state);
    }

    @Test
    void storedVersion2BytesStillRead() throws IOException {
        byte[] split = golden("split-v2.bin", TieredSplitSerializer.INSTANCE.serialize(PART));
        assertThat(TieredSplitSerializer.INSTANCE.deserialize(2, split)).isEqualTo(PART);
        byte[] enumState =
                golden("enum-state-v2.bin", EnumStateSerializer.INSTANCE.serialize(PLANNING));
        assertThat(EnumStateSerializer.INSTANCE.deserialize(2, enumState)).isEqualTo(PLANNING);
    }

    @Test
    void unknownVersionsAreRefused() {
        assertThatThrownBy(() -> TieredSplitSerializer.INSTANCE.deserialize(3, new byte[0]))
                .hasMessage("Unknown version: 3");
        assertThatThrownBy(() -> EnumStateSerializer.INSTANCE.deserialize(0, new byte[0]))
                .hasMessage("Unknown version: 0");
    }

    @Test
    void splitsOrderByCommitThenKindThenScope() {
        TieredSplit later = TieredSplit.changes(ScopeId.user("a"), 19, List.of("x"), 0, 0);
        TieredSplit sameCommitOtherScope =
                TieredSplit.changes(ScopeId.user("b"), 18, List.of("x"), 0, 0);
        assertThat(List.of(later, sameCommitOtherScope, CHANGES, SNAPSHOT).stream().sorted())
                .containsExactly(SNAPSHOT, CHANGES, sameCommitOtherScope, later);
    }

    private static byte[] golden(String name, byte[] current) throws IOException {
        if (current != null && Boolean.getBoolean("golden.write")) {
            Files.write(Paths.get("src/test/resources", name), current);
        }
        try (InputStream in = SplitSerializersTest.class.getResourceAsStream("/" + name)) {
            assertThat(in).as("stored bytes %s", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
