package dev.tiered.state.hot;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.hot.HotFixtures.ListCursor;
import dev.tiered.state.hot.HotFixtures.RowChange;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.table.data.GenericRowData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import static dev.tiered.state.hot.HotFixtures.T0;
import static dev.tiered.state.hot.HotFixtures.message;
import static dev.tiered.state.hot.HotFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A store rebuilt from the hot segments that fed another store holds exactly what that store holds
 * (newest version per key, tombstones included), for the scopes the new writer owns; with the
 * changes in any segment order, and whether the input fits the sort buffer or spills.
 */
class HotStoreRestoreTest {
    private static final long SEED = Long.getLong("tiered.test.seed", System.nanoTime());
    private static final List<ScopeId> USERS =
            List.of("alice", "bob", "carol", "dave", "ümit").stream().map(ScopeId::user).toList();

    @TempDir Path tmp;
    private final ManualClock clock = new ManualClock(T0);

    /**
     * How the restore loads: puts (small), ingested SST files (one, or rolled at a size), or
     * spilled runs merged.
     */
    enum LoadPath {
        PUTS(1_000, 300, 64 << 20, 64 << 20),
        INGEST(6_000, 3_000, 64 << 20, 64 << 20),
        INGEST_ROLLED_FILES(6_000, 3_000, 64 << 20, 64 << 10),
        SPILLED_RUNS(6_000, 3_000, 64 << 10, 64 << 10);

        final int changes;
        final int keysPerUser;
        final long sortBufferBytes;
        final long fileBytes;

        LoadPath(int changes, int keysPerUser, long sortBufferBytes, long fileBytes) {
            this.changes = changes;
            this.keysPerUser = keysPerUser;
            this.sortBufferBytes = sortBufferBytes;
            this.fileBytes = fileBytes;
        }
    }

    @ParameterizedTest
    @EnumSource(LoadPath.class)
    void restoredStoreEqualsTheOriginal(LoadPath path) throws IOException {
        Random random = new Random(SEED);
        List<List<RowChange>> segments = randomSegments(random, path.changes, path.keysPerUser);
        long sortBufferBytes = path.sortBufferBytes;
        try (HotStore original = open("original", HotStoreOptions.defaults());
                HotStore restored = open("restored", options(sortBufferBytes))) {
            HotTable source = original.table("chat.messages");
            for (List<RowChange> segment : segments) {
                for (RowChange change : segment) {
                    source.apply(change.scope(), change.seq(), change.op(), change.row());
                }
            }
            List<ListCursor> cursors = cursors(segments, random);

            RestoreResult result =
                    restored.table("chat.messages").restore(cursors, scope -> true, path.fileBytes);

            HotTable target = restored.table("chat.messages");
            // The source counted its own replacements by version; a scan makes it exact, as
            // restore is.
            for (ScopeId user : USERS) {
                source.removeFlushed(user, Long.MIN_VALUE);
            }
            assertThat(HotFixtures.dump(target, USERS))
                    .as("seed %d", SEED)
                    .isEqualTo(HotFixtures.dump(source, USERS));
            for (ScopeId user : USERS) {
                ScopeStats expected = source.stats(user);
                ScopeStats actual = target.stats(user);
                assertThat(actual.entries())
                        .as("seed %d, %s", SEED, user)
                        .isEqualTo(expected.entries());
                assertThat(actual.bytes())
                        .as("seed %d, %s", SEED, user)
                        .isEqualTo(expected.bytes());
                assertThat(actual.newestSeq()).isEqualTo(expected.newestSeq());
                assertThat(actual.oldestUnflushedSeq())
                        .isGreaterThanOrEqualTo(expected.oldestUnflushedSeq());
            }
            assertThat(target.entryCount()).isEqualTo(source.entryCount());
            assertThat(target.byteCount()).isEqualTo(source.byteCount());
            assertThat(result.changesRead()).isEqualTo(path.changes);
            assertThat(result.entriesLoaded()).isEqualTo(source.entryCount());
            assertThat(result.spilledRuns() > 0).isEqualTo(path == LoadPath.SPILLED_RUNS);
            switch (path) {
                case PUTS -> assertThat(result.ingestedFiles()).isZero();
                case INGEST -> assertThat(result.ingestedFiles()).isEqualTo(1);
                default ->
                        // Files roll once they hold fileBytes; an entry is under 512 bytes.
                        assertThat(result.ingestedFiles())
                                .isBetween(
                                        (int) (source.byteCount() / (path.fileBytes + 512)),
                                        (int) (source.byteCount() / path.fileBytes) + 1)
                                .isGreaterThan(1);
            }
            assertThat(cursors).allMatch(cursor -> cursor.closed);
            assertThat(restored.directory().toFile().list()).containsExactly("db");

            // The restored store keeps working: lookups and newest-wins writes.
            RowChange last = segments.get(0).get(0);
            target.upsert(last.scope(), Long.MAX_VALUE, message(100_000, "x", 1, "after"));
            assertThat(target.get(last.scope(), GenericRowData.of(100_000L))).isNotNull();
        }
    }

    @Test
    void restoreKeepsOnlyTheScopesThisWriterOwns() throws IOException {
        Random random = new Random(SEED);
        List<List<RowChange>> segments = randomSegments(random, 2_000, 300);
        Set<ScopeId> mine = Set.of(USERS.get(0), USERS.get(2));
        Predicate<ScopeId> owned = mine::contains;
        try (HotStore original = open("original", HotStoreOptions.defaults());
                HotStore restored = open("restored", HotStoreOptions.defaults())) {
            HotTable source = original.table("chat.messages");
            long notMine = 0;
            for (List<RowChange> segment : segments) {
                for (RowChange change : segment) {
                    source.apply(change.scope(), change.seq(), change.op(), change.row());
                    notMine += owned.test(change.scope()) ? 0 : 1;
                }
            }

            RestoreResult result =
                    restored.table("chat.messages").restore(cursors(segments, random), owned);

            HotTable target = restored.table("chat.messages");
            // The source counted its own replacements by version; a scan makes it exact, as
            // restore is.
            for (ScopeId user : USERS) {
                source.removeFlushed(user, Long.MIN_VALUE);
            }
            assertThat(HotFixtures.dump(target, USERS))
                    .as("seed %d", SEED)
                    .isEqualTo(
                            HotFixtures.dump(source, List.copyOf(new java.util.TreeSet<>(mine))));
            assertThat(result.skippedNotOwned()).isEqualTo(notMine);
            assertThat(target.scopeStats())
                    .extracting(ScopeStats::scope)
                    .containsExactlyInAnyOrderElementsOf(mine);
        }
    }

    @Test
    void streamRestoreLeavesOutExpiredEntriesAndRebuildsTheTtlIndex() throws Exception {
        TableDefinition presence = HotFixtures.presence(60);
        SnowflakeIds ids = new SnowflakeIds(1, clock);
        List<RowChange> changes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            changes.add(
                    new RowChange(
                            ScopeId.SHARED, ids.nextId(), ChangeOp.UPSERT, row("u" + i, "on")));
            clock.advance(5_000);
        }
        clock.set(T0 + 60_000 + 12_000); // u0, u1, u2 are past TTL
        try (HotStore restored =
                HotStore.open(
                        tmp.resolve("r"), List.of(presence), HotStoreOptions.defaults(), clock)) {
            HotTable table = restored.table("chat.presence");
            RestoreResult result = table.restore(List.of(new ListCursor(changes)), scope -> true);

            assertThat(result.skippedExpired()).isEqualTo(3);
            assertThat(table.rawDataCount()).isEqualTo(17);
            assertThat(table.rawIndexCount()).isEqualTo(17);
            clock.advance(10_000);
            assertThat(restored.expire()).isEqualTo(2);
            assertThat(table.rawIndexCount()).isEqualTo(15);
        }
    }

    @Test
    void restoreRefusesATableWithEntries() throws IOException {
        try (HotStore store = open("s", HotStoreOptions.defaults())) {
            HotTable table = store.table("chat.messages");
            table.upsert(USERS.get(0), 1L << 40, message(1, "alice", 1, "x"));
            ListCursor cursor = new ListCursor(List.of());
            assertThatThrownBy(() -> table.restore(List.of(cursor), scope -> true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot restore hot table chat.messages: it already has entries");
        }
    }

    @Test
    void smallRestoresAndEmptyInputWork() throws IOException {
        try (HotStore store = open("s", HotStoreOptions.defaults())) {
            HotTable table = store.table("chat.messages");
            RestoreResult empty = table.restore(List.of(new ListCursor(List.of())), scope -> true);
            assertThat(empty.entriesLoaded()).isZero();
            RestoreResult one =
                    table.restore(
                            List.of(
                                    new ListCursor(
                                            List.of(
                                                    new RowChange(
                                                            USERS.get(1),
                                                            1L << 40,
                                                            ChangeOp.UPSERT,
                                                            message(1, "bob", 1, "x"))))),
                            scope -> true);
            assertThat(one.entriesLoaded()).isEqualTo(1);
            assertThat(table.get(USERS.get(1), GenericRowData.of(1L))).isNotNull();
        }
    }

    /**
     * Changes of 5 users over {@code keysPerUser} keys each, cut into segments. Seqs mostly grow,
     * but a tenth of the changes carry an older seq (a late writer), so newest-wins is exercised.
     */
    private List<List<RowChange>> randomSegments(Random random, int count, int keysPerUser) {
        SnowflakeIds ids = new SnowflakeIds(5, clock);
        List<Long> issued = new ArrayList<>();
        Set<Long> used = new HashSet<>(); // _seq is unique per table (DESIGN §3)
        List<List<RowChange>> segments = new ArrayList<>();
        List<RowChange> segment = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clock.advance(random.nextInt(3));
            long seq = ids.nextId();
            issued.add(seq);
            if (random.nextInt(10) == 0) {
                long older = issued.get(random.nextInt(issued.size())) - 1; // older than some
                if (!used.contains(older)) {
                    seq = older;
                }
            }
            used.add(seq);
            ScopeId user = USERS.get(random.nextInt(USERS.size()));
            long id = random.nextInt(keysPerUser) - keysPerUser / 2;
            ChangeOp op = random.nextInt(6) == 0 ? ChangeOp.DELETE : ChangeOp.UPSERT;
            String content = "c" + i + "-" + "x".repeat(random.nextInt(120));
            segment.add(new RowChange(user, seq, op, message(id, user.userId(), i, content)));
            if (random.nextInt(400) == 0) {
                segments.add(segment);
                segment = new ArrayList<>();
            }
        }
        segments.add(segment);
        return segments;
    }

    private static List<ListCursor> cursors(List<List<RowChange>> segments, Random random) {
        List<ListCursor> cursors = new ArrayList<>();
        segments.forEach(segment -> cursors.add(new ListCursor(segment)));
        Collections.shuffle(cursors, random);
        return cursors;
    }

    private HotStore open(String name, HotStoreOptions options) throws IOException {
        return HotStore.open(tmp.resolve(name), List.of(HotFixtures.messages()), options, clock);
    }

    private static HotStoreOptions options(long sortBufferBytes) {
        HotStoreOptions defaults = HotStoreOptions.defaults();
        return new HotStoreOptions(
                defaults.blockCacheBytes(),
                defaults.writeBufferBytes(),
                defaults.maxWriteBuffers(),
                sortBufferBytes);
    }
}
