package dev.tiered.state.hot;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.table.data.GenericRowData;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tiered.state.hot.HotFixtures.T0;
import static dev.tiered.state.hot.HotFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a flush commits, exactly the versions it moved leave the hot store: versions written while
 * the flush ran survive, and other scopes are untouched.
 */
class RemoveFlushedTest {
    private static final ScopeId ALICE = ScopeId.user("alice");
    private static final ScopeId BOB = ScopeId.user("bob");

    @TempDir Path tmp;
    private final ManualClock clock = new ManualClock(T0);
    private final SnowflakeIds ids = new SnowflakeIds(1, clock);
    private HotStore store;
    private HotTable messages;

    @BeforeEach
    void open() throws IOException {
        store =
                HotStore.open(
                        tmp.resolve("hot"),
                        List.of(HotFixtures.messages()),
                        HotStoreOptions.defaults(),
                        clock);
        messages = store.table("chat.messages");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void flushThenRemoveKeepsVersionsWrittenDuringTheFlush() throws IOException {
        for (long id = 1; id <= 5; id++) {
            messages.upsert(ALICE, ids.nextId(), message(id, "alice", 1, "v1"));
        }
        messages.delete(ALICE, ids.nextId(), message(3, "alice", 1, ""));
        messages.upsert(BOB, ids.nextId(), message(1, "bob", 1, "bob's"));

        long flushedThrough;
        try (ChangeCursor flush = messages.cursor(ALICE)) {
            long max = Long.MIN_VALUE;
            int rows = 0;
            while (flush.next()) {
                max = Math.max(max, flush.seq());
                rows++;
                if (rows == 2) {
                    // Written while the flush reads: not part of it.
                    clock.advance(10);
                    messages.upsert(ALICE, ids.nextId(), message(2, "alice", 1, "v2"));
                    messages.upsert(ALICE, ids.nextId(), message(6, "alice", 1, "new"));
                }
            }
            assertThat(rows).as("the flush sees its snapshot only").isEqualTo(5);
            flushedThrough = max;
        }

        assertThat(messages.removeFlushed(ALICE, flushedThrough)).isEqualTo(4);

        assertThat(HotFixtures.dump(messages, List.of(ALICE)))
                .extracting(change -> change.row().get(0), change -> change.row().get(3))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "v2"),
                        org.assertj.core.groups.Tuple.tuple(6L, "new"));
        ScopeStats stats = messages.stats(ALICE);
        assertThat(stats.entries()).isEqualTo(2);
        assertThat(stats.oldestUnflushedMillis()).isEqualTo(T0 + 10);
        assertThat(stats.bytes()).isEqualTo(bytesOf(ALICE));
        assertThat(messages.stats(BOB).entries()).isEqualTo(1);
        assertThat(messages.byteCount()).isEqualTo(stats.bytes() + messages.stats(BOB).bytes());
    }

    @Test
    void longRunsOfFlushedKeysAndShortOnesLeaveExactlyTheNewerVersions() throws Exception {
        for (long id = 0; id < 200; id++) {
            messages.upsert(ALICE, ids.nextId(), message(id, "alice", 1, "v1"));
        }
        messages.upsert(BOB, ids.nextId(), message(0, "bob", 1, "bob"));
        long flushedThrough = ids.nextId();
        // Written after the flush: two keys inside a long run, every 5th key of a stretch (runs
        // shorter than a range delete's), and new keys above all.
        List<Long> newer = new ArrayList<>(List.of(40L, 41L));
        for (long id = 100; id < 150; id += 5) {
            newer.add(id);
        }
        newer.addAll(List.of(300L, 301L));
        for (long id : newer) {
            messages.upsert(ALICE, ids.nextId(), message(id, "alice", 1, "v2"));
        }

        assertThat(messages.removeFlushed(ALICE, flushedThrough)).isEqualTo(200 - 12);

        assertThat(HotFixtures.dump(messages, List.of(ALICE)))
                .extracting(change -> change.row().get(0), change -> change.row().get(3))
                .containsExactlyElementsOf(
                        newer.stream()
                                .map(id -> org.assertj.core.groups.Tuple.tuple(id, "v2"))
                                .toList());
        assertThat(messages.stats(ALICE).entries()).isEqualTo(newer.size());
        assertThat(messages.stats(ALICE).bytes()).isEqualTo(bytesOf(ALICE));
        assertThat(HotFixtures.dump(messages, List.of(BOB))).hasSize(1);
        assertThat(messages.rawDataCount()).isEqualTo(newer.size() + 1);
    }

    @Test
    void removingEverythingFlushedEmptiesTheScope() throws IOException, Exception {
        for (long id = 1; id <= 1000; id++) {
            messages.upsert(ALICE, ids.nextId(), message(id, "alice", 1, "x"));
        }
        messages.upsert(BOB, ids.nextId(), message(1, "bob", 1, "y"));
        long newest = messages.stats(ALICE).newestSeq();

        assertThat(messages.removeFlushed(ALICE, newest)).isEqualTo(1000);

        assertThat(messages.stats(ALICE).isEmpty()).isTrue();
        assertThat(messages.get(ALICE, GenericRowData.of(1L))).isNull();
        assertThat(messages.rawDataCount()).isEqualTo(1);
        assertThat(messages.entryCount()).isEqualTo(1);
        assertThat(messages.removeFlushed(ALICE, newest)).isZero();
    }

    @Test
    void tombstonesLeaveWithTheFlushThatCarriedThem() throws Exception {
        messages.delete(ALICE, ids.nextId(), message(1, "alice", 1, ""));
        long flushed = messages.stats(ALICE).newestSeq();
        messages.removeFlushed(ALICE, flushed);
        assertThat(messages.rawDataCount()).isZero();
    }

    @Test
    void dropScopeErasesOneUserOnly() throws Exception {
        for (long id = 1; id <= 50; id++) {
            messages.upsert(ALICE, ids.nextId(), message(id, "alice", 1, "x"));
            messages.upsert(BOB, ids.nextId(), message(id, "bob", 1, "y"));
        }
        // "alice" must not match "alice2" or "alic": scope prefixes are terminated.
        messages.upsert(ScopeId.user("alice2"), ids.nextId(), message(1, "alice2", 1, "z"));
        messages.upsert(ScopeId.user("alic"), ids.nextId(), message(1, "alic", 1, "z"));

        assertThat(messages.dropScope(ALICE)).isEqualTo(50);

        assertThat(HotFixtures.dump(messages, List.of(ALICE))).isEmpty();
        assertThat(messages.stats(ALICE).isEmpty()).isTrue();
        assertThat(messages.rawDataCount()).isEqualTo(52);
        assertThat(HotFixtures.dump(messages, List.of(BOB))).hasSize(50);
        assertThat(messages.get(ScopeId.user("alice2"), GenericRowData.of(1L))).isNotNull();
        assertThat(messages.get(ScopeId.user("alic"), GenericRowData.of(1L))).isNotNull();
        assertThat(messages.dropScope(ScopeId.user("nobody"))).isZero();
    }

    private long bytesOf(ScopeId scope) throws IOException {
        // Re-derive the scope's bytes from what a cursor sees, to check the bookkeeping.
        long bytes = 0;
        ByteWriter key = new ByteWriter(16);
        for (HotFixtures.Change change : HotFixtures.dump(messages, List.of(scope))) {
            key.reset();
            key.writeBytes(ScopeKeys.prefix(scope), 0, ScopeKeys.prefix(scope).length);
            KeyEncoder.forType(messages.definition().columns().get(0).type())
                    .encode(GenericRowData.of(change.row().get(0)), 0, key);
            ByteWriter value = new ByteWriter(16);
            new RowCodec(messages.definition().rowType())
                    .encode(
                            message(
                                    (Long) change.row().get(0),
                                    (String) change.row().get(1),
                                    (Long) change.row().get(2),
                                    (String) change.row().get(3)),
                            value);
            bytes += key.length() + EntryCodec.VALUE_HEADER + value.length();
        }
        return bytes;
    }
}
