package dev.tiered.state.hot;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.tiered.state.hot.HotFixtures.T0;
import static dev.tiered.state.hot.HotFixtures.message;
import static dev.tiered.state.hot.HotFixtures.row;
import static dev.tiered.state.hot.HotFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Upserts replace, deletes leave tombstones, the newest {@code _seq} wins, per scope. */
class HotStoreVersionsTest {
    private static final ScopeId ALICE = ScopeId.user("alice");
    private static final ScopeId BOB = ScopeId.user("bob");

    @TempDir Path tmp;
    private final ManualClock clock = new ManualClock(T0);
    private final SnowflakeIds ids = new SnowflakeIds(3, clock);
    private HotStore store;
    private HotTable messages;
    private HotTable config;
    private RowType messageType;

    @BeforeEach
    void open() throws IOException {
        store =
                HotStore.open(
                        tmp.resolve("hot"),
                        List.of(HotFixtures.messages(), HotFixtures.config()),
                        HotStoreOptions.defaults(),
                        clock);
        messages = store.table("chat.messages");
        config = store.table("app.config");
        messageType = messages.definition().rowType();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void upsertIsReadBackAndReplaced() throws IOException {
        assertThat(messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "hi"))).isTrue();
        assertThat(content(ALICE, 1)).isEqualTo("hi");

        assertThat(messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "edited"))).isTrue();
        assertThat(content(ALICE, 1)).isEqualTo("edited");
        // Counted by version (as KalamDB counts hot rows) until a scan recounts.
        assertThat(messages.stats(ALICE).entries()).isEqualTo(2);
        assertThat(messages.removeFlushed(ALICE, Long.MIN_VALUE)).isZero();
        assertThat(messages.stats(ALICE).entries()).isEqualTo(1);
    }

    @Test
    void deleteHidesTheKeyAndKeepsATombstone() throws IOException {
        long upsertSeq = ids.nextId();
        messages.upsert(ALICE, upsertSeq, message(1, "alice", 7, "hi"));
        long deleteSeq = ids.nextId();
        assertThat(messages.delete(ALICE, deleteSeq, message(1, "alice", 7, "hi"))).isTrue();

        assertThat(messages.get(ALICE, key(1))).isNull();
        List<HotFixtures.Change> entries = HotFixtures.dump(messages, List.of(ALICE));
        assertThat(entries)
                .containsExactly(
                        new HotFixtures.Change(
                                ALICE,
                                deleteSeq,
                                ChangeOp.DELETE,
                                java.util.Arrays.asList(1L, null, null, null, null)));
        assertThat(messages.stats(ALICE).entries()).isEqualTo(2); // two versions written
    }

    @Test
    void deleteOfAnUnknownKeyStillWritesATombstone() throws IOException {
        // The key may live in the cold tier: the tombstone must reach the next flush.
        messages.delete(ALICE, ids.nextId(), message(9, "alice", 7, ""));
        assertThat(HotFixtures.dump(messages, List.of(ALICE)))
                .extracting(HotFixtures.Change::op)
                .containsExactly(ChangeOp.DELETE);
    }

    @Test
    void olderOrEqualSeqIsIgnored() throws IOException {
        long older = ids.nextId();
        long newer = ids.nextId();
        messages.upsert(ALICE, newer, message(1, "alice", 7, "new"));

        assertThat(messages.upsert(ALICE, older, message(1, "alice", 7, "old"))).isFalse();
        assertThat(messages.delete(ALICE, older, message(1, "alice", 7, "old"))).isFalse();
        assertThat(messages.upsert(ALICE, newer, message(1, "alice", 7, "replay"))).isFalse();

        assertThat(content(ALICE, 1)).isEqualTo("new");
        assertThat(HotFixtures.dump(messages, List.of(ALICE)))
                .extracting(HotFixtures.Change::seq)
                .containsExactly(newer);
    }

    @Test
    void newestWinsAlsoBelowTheGreatestKeyOfTheScope() throws IOException {
        // Keys above the scope's greatest key skip the read of the stored version; keys below
        // it must still be compared with what is stored.
        long[] seqs = new long[4];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = ids.nextId();
        }
        messages.upsert(ALICE, seqs[2], message(2, "alice", 7, "two"));
        messages.upsert(ALICE, seqs[3], message(3, "alice", 7, "three"));
        assertThat(messages.upsert(ALICE, seqs[0], message(2, "alice", 7, "stale"))).isFalse();
        assertThat(messages.upsert(ALICE, seqs[1], message(1, "alice", 7, "one"))).isTrue();
        messages.removeFlushed(ALICE, seqs[3]);
        assertThat(messages.upsert(ALICE, ids.nextId(), message(2, "alice", 7, "again"))).isTrue();

        assertThat(content(ALICE, 2)).isEqualTo("again");
        assertThat(messages.stats(ALICE).entries()).isEqualTo(1);
    }

    @Test
    void upsertAfterDeleteRevivesTheKey() throws IOException {
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "a"));
        messages.delete(ALICE, ids.nextId(), message(1, "alice", 7, "a"));
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "b"));
        assertThat(content(ALICE, 1)).isEqualTo("b");
    }

    @Test
    void scopesAreIsolated() throws IOException {
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "from alice"));
        messages.upsert(BOB, ids.nextId(), message(1, "bob", 7, "from bob"));

        assertThat(content(ALICE, 1)).isEqualTo("from alice");
        assertThat(content(BOB, 1)).isEqualTo("from bob");
        assertThat(messages.get(ScopeId.user("carol"), key(1))).isNull();
        assertThat(HotFixtures.dump(messages, List.of(ALICE))).hasSize(1);
    }

    @Test
    void cursorIteratesOneScopeInKeyOrder() throws IOException {
        long[] keys = {5, -3, 1_000_000_000_000L, 0, Long.MIN_VALUE, 42, Long.MAX_VALUE};
        for (long k : keys) {
            messages.upsert(ALICE, ids.nextId(), message(k, "alice", 1, "m" + k));
            messages.upsert(BOB, ids.nextId(), message(k + 1, "bob", 1, "x"));
        }
        assertThat(HotFixtures.dump(messages, List.of(ALICE)))
                .extracting(change -> change.row().get(0))
                .containsExactly(
                        Long.MIN_VALUE, -3L, 0L, 5L, 42L, 1_000_000_000_000L, Long.MAX_VALUE);
    }

    @Test
    void stringKeysIterateInUtf8ByteOrder() throws IOException {
        String[] names = {"b", "a", "ä", "a\u0000", "", "\uD83D\uDE00", "ab", "Z"};
        for (String name : names) {
            config.upsert(ScopeId.SHARED, ids.nextId(), row(name, "v"));
        }
        assertThat(HotFixtures.dump(config, List.of(ScopeId.SHARED)))
                .extracting(change -> change.row().get(0))
                .containsExactly("", "Z", "a", "a\u0000", "ab", "b", "ä", "\uD83D\uDE00");
    }

    @Test
    void statsCountEntriesBytesAndOldestUnflushedWrite() throws IOException {
        long first = ids.nextId();
        messages.upsert(ALICE, first, message(1, "alice", 7, "a"));
        clock.advance(5_000);
        long second = ids.nextId();
        messages.upsert(ALICE, second, message(2, "alice", 7, "b"));
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "a, edited"));

        ScopeStats stats = messages.stats(ALICE);
        assertThat(stats.entries()).as("versions written").isEqualTo(3);
        assertThat(stats.oldestUnflushedSeq()).isEqualTo(first);
        assertThat(stats.oldestUnflushedMillis()).isEqualTo(T0);
        assertThat(stats.bytes()).isPositive();
        assertThat(messages.entryCount()).isEqualTo(3);
        assertThat(messages.byteCount()).isEqualTo(stats.bytes());
        assertThat(messages.stats(BOB).isEmpty()).isTrue();
        assertThat(messages.scopeStats()).containsExactly(stats);
    }

    @Test
    void ownReplacementsCountAsVersionsAndARecountIsExact() throws IOException {
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "short"));
        long small = messages.stats(ALICE).bytes();
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "a much longer text"));
        long exact = small + "a much longer text".length() - "short".length();
        // A change above the scope's newest _seq is not read before it is written: its bytes
        // are added, an upper bound of what the store holds.
        assertThat(messages.stats(ALICE).bytes()).isGreaterThan(exact);

        messages.removeFlushed(ALICE, Long.MIN_VALUE); // removes nothing, recounts
        assertThat(messages.stats(ALICE).bytes()).isEqualTo(exact);
        assertThat(messages.stats(ALICE).entries()).isEqualTo(1);
    }

    @Test
    void anOlderChangeReadsTheStoredVersionAndCountsExactly() throws IOException {
        long older = ids.nextId();
        long newer = ids.nextId();
        messages.upsert(ALICE, newer, message(1, "alice", 7, "newer"));
        long bytes = messages.stats(ALICE).bytes();

        // Adopted from another writer's segment: below the scope's newest _seq, so it is read
        // first, loses, and changes no count.
        assertThat(messages.upsert(ALICE, older, message(1, "alice", 7, "older"))).isFalse();
        assertThat(content(ALICE, 1)).isEqualTo("newer");
        assertThat(messages.stats(ALICE).entries()).isEqualTo(1);
        assertThat(messages.stats(ALICE).bytes()).isEqualTo(bytes);
    }

    @Test
    void lookupReturnsAnOwnedRow() throws IOException {
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "first"));
        RowData found = messages.get(ALICE, key(1));
        messages.upsert(ALICE, ids.nextId(), message(1, "alice", 7, "second"));
        messages.get(ALICE, key(1));
        assertThat(values(found, messageType))
                .containsExactly(1L, "alice", 7L, "first", message(1, "alice", 7, "").getField(4));
    }

    @Test
    void wrongScopeKindIsRejected() {
        assertThatThrownBy(
                        () -> messages.upsert(ScopeId.SHARED, ids.nextId(), message(1, "a", 1, "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot use scope <shared> in USER table chat.messages: it needs a user scope");
        assertThatThrownBy(() -> config.upsert(ALICE, ids.nextId(), row("k", "v")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot use scope alice in SHARED table app.config: it has only the shared"
                                + " scope");
    }

    @Test
    void nullKeyIsRejected() {
        assertThatThrownBy(() -> config.upsert(ScopeId.SHARED, ids.nextId(), row(null, "v")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is null");
    }

    private String content(ScopeId scope, long id) throws IOException {
        RowData found = messages.get(scope, key(id));
        assertThat(found).as("row %s of %s", id, scope).isNotNull();
        return found.getString(3).toString();
    }

    private static GenericRowData key(long id) {
        return GenericRowData.of(id);
    }
}
