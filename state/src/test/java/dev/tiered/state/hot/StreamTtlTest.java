package dev.tiered.state.hot;

import dev.tiered.state.ScopeId;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.tiered.state.hot.HotFixtures.T0;
import static dev.tiered.state.hot.HotFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * STREAM entries past TTL_SECONDS (from the time the sink wrote them) are never returned, and
 * {@link HotStore#expire()} deletes exactly them from disk.
 */
class StreamTtlTest {
    private static final long TTL_SECONDS = 60;
    private static final ScopeId SHARED = ScopeId.SHARED;

    @TempDir Path tmp;
    private final ManualClock clock = new ManualClock(T0);
    private final SnowflakeIds ids = new SnowflakeIds(2, clock);
    private HotStore store;
    private HotTable presence;
    private HotTable typing;

    @BeforeEach
    void open() throws IOException {
        store =
                HotStore.open(
                        tmp.resolve("hot"),
                        List.of(
                                HotFixtures.presence(TTL_SECONDS),
                                HotFixtures.typingEvents(TTL_SECONDS),
                                HotFixtures.messages()),
                        HotStoreOptions.defaults(),
                        clock);
        presence = store.table("chat.presence");
        typing = store.table("chat.typing_events");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void expiredEntriesAreNeverReturned() throws IOException {
        presence.upsert(SHARED, ids.nextId(), row("alice", "online"));
        clock.advance(30_000);
        presence.upsert(SHARED, ids.nextId(), row("bob", "away"));

        clock.set(T0 + TTL_SECONDS * 1000 - 1);
        assertThat(presence.get(SHARED, key("alice"))).isNotNull();

        clock.set(T0 + TTL_SECONDS * 1000); // alice's entry is exactly TTL old: expired
        assertThat(presence.get(SHARED, key("alice"))).isNull();
        assertThat(presence.get(SHARED, key("bob"))).isNotNull();
        assertThat(HotFixtures.dump(presence, List.of(SHARED)))
                .extracting(change -> change.row().get(0))
                .containsExactly("bob");
    }

    @Test
    void expireDeletesExactlyTheExpiredEntries() throws Exception {
        for (int i = 0; i < 100; i++) {
            presence.upsert(SHARED, ids.nextId(), row("user" + i, "online"));
        }
        clock.advance(40_000);
        for (int i = 100; i < 150; i++) {
            presence.upsert(SHARED, ids.nextId(), row("user" + i, "online"));
        }
        // Refreshing a key restarts its TTL.
        presence.upsert(SHARED, ids.nextId(), row("user7", "typing"));
        assertThat(presence.rawDataCount()).isEqualTo(150);
        assertThat(presence.rawIndexCount()).isEqualTo(150);

        clock.advance(TTL_SECONDS * 1000 - 40_000);
        assertThat(presence.rawDataCount()).as("hidden, not yet deleted").isEqualTo(150);

        assertThat(store.expire()).isEqualTo(99);

        assertThat(presence.rawDataCount()).isEqualTo(51);
        assertThat(presence.rawIndexCount()).isEqualTo(51);
        assertThat(presence.entryCount()).isEqualTo(51);
        assertThat(presence.get(SHARED, key("user7")).getString(1).toString()).isEqualTo("typing");
        assertThat(store.expire()).isZero();

        clock.advance(40_000);
        assertThat(store.expire()).isEqualTo(51);
        assertThat(presence.rawDataCount()).isZero();
        assertThat(presence.rawIndexCount()).isZero();
        assertThat(presence.stats(SHARED).isEmpty()).isTrue();
        assertThat(presence.byteCount()).isZero();
    }

    @Test
    void appendOnlyStreamsExpireByWriteTimeToo() throws Exception {
        for (int i = 0; i < 10; i++) {
            typing.upsert(SHARED, ids.nextId(), row("alice", (long) i));
            clock.advance(1_000);
        }
        assertThat(HotFixtures.dump(typing, List.of(SHARED)))
                .as("keyed by _seq: arrival order")
                .extracting(change -> change.row().get(1))
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);

        clock.set(T0 + TTL_SECONDS * 1000 + 3_500); // events 0..3 are older than TTL
        assertThat(HotFixtures.dump(typing, List.of(SHARED))).hasSize(6);
        assertThat(store.expire()).isEqualTo(4);
        assertThat(typing.rawDataCount()).isEqualTo(6);
        assertThat(typing.entryCount()).isEqualTo(6);
    }

    @Test
    void changesAlreadyPastTtlAreNotStored() throws Exception {
        long old = ids.nextId();
        clock.advance(TTL_SECONDS * 1000);
        assertThat(presence.upsert(SHARED, old, row("alice", "late"))).isFalse();
        assertThat(presence.rawDataCount()).isZero();
    }

    @Test
    void deletesInKeyedStreamsExpireLikeUpserts() throws Exception {
        presence.upsert(SHARED, ids.nextId(), row("alice", "online"));
        presence.delete(SHARED, ids.nextId(), row("alice", null));
        assertThat(presence.get(SHARED, key("alice"))).isNull();
        clock.advance(TTL_SECONDS * 1000);
        assertThat(store.expire()).isEqualTo(1);
        assertThat(presence.rawDataCount()).isZero();
        assertThat(presence.rawIndexCount()).isZero();
    }

    @Test
    void tablesWithoutTtlNeverExpire() throws Exception {
        HotTable messages = store.table("chat.messages");
        messages.upsert(
                ScopeId.user("alice"), ids.nextId(), HotFixtures.message(1, "alice", 1, "x"));
        clock.advance(365L * 24 * 3600 * 1000);
        assertThat(store.expire()).isZero();
        assertThat(messages.get(ScopeId.user("alice"), GenericRowData.of(1L))).isNotNull();
    }

    private static GenericRowData key(String userId) {
        return GenericRowData.of(StringData.fromString(userId));
    }
}
