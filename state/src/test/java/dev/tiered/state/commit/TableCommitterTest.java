package dev.tiered.state.commit;

import dev.tiered.state.CommitConflictException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.ScopeManifestParser;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.CommitRace;
import dev.tiered.state.testing.ForwardingTableFileIO;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.tiered.state.testing.TableFixtures.batch;
import static dev.tiered.state.testing.TableFixtures.hot;
import static dev.tiered.state.testing.TableFixtures.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableCommitterTest {
    private static final ScopeId ALICE = ScopeId.user("alice");
    private static final ScopeId BOB = ScopeId.user("bob");

    @TempDir File dir;
    private final ManualClock clock = new ManualClock(1_763_600_000_000L);

    @Test
    void commitsAreNumberedAndFoldIntoTheTableState() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        TableCommitter committer = table.committer(clock);

        committer.commit(
                new PendingCommit("append", "job/op", 1)
                        .addHotSegment(hot("h1", 1, 10, ALICE, BOB)),
                1);
        TableCommitter.CommitResult second =
                committer.commit(
                        new PendingCommit("flush", "job/op", 2)
                                .changeScope(ALICE, List.of(batch(1, 1, 10)), List.of(), 10),
                        1);

        assertThat(second.commit()).isEqualTo(2);
        TableState state = table.latestState();
        assertThat(state.commit()).isEqualTo(2);
        assertThat(state.hotSegments()).extracting(h -> h.path()).containsExactly("h1");
        assertThat(state.scope(ALICE)).isEqualTo(new TableState.ScopeState(1, 2, 10));
        assertThat(state.writers()).containsEntry("job/op", 2L);
        assertThat(state.maxSeq()).isEqualTo(10);

        ScopeManifest manifest = table.manifest(state, ALICE);
        assertThat(manifest.segments()).extracting(s -> s.id()).containsExactly("batch-1.parquet");
        assertThat(manifest.userId()).isEqualTo("alice");
        assertThat(manifest.tableId()).isEqualTo("chat.messages");
        assertThat(manifest.lastCommit()).isEqualTo(2);
        assertThat(manifest.flushedThroughSeq()).isEqualTo(10);
        byte[] current = table.io().read(table.manifests().currentFile(state, ALICE));
        byte[] version = table.io().read(table.manifests().versionFile(state, ALICE, 1));
        assertThat(current).isEqualTo(version);
    }

    @Test
    void manifestsOfManyScopesAreWrittenInParallelAndAFailedOneRollsForward() throws Exception {
        Set<String> writers = ConcurrentHashMap.newKeySet();
        AtomicBoolean diskFull = new AtomicBoolean(true);
        TableFileIO io =
                new ForwardingTableFileIO(new FlinkFileIO()) {
                    @Override
                    public void overwrite(Path path, byte[] content) throws IOException {
                        if (path.getName().startsWith("manifest")) {
                            writers.add(Thread.currentThread().getName());
                            if (path.getParent().getName().equals("user-3")
                                    && diskFull.getAndSet(false)) {
                                throw new IOException("disk full");
                            }
                        }
                        super.overwrite(path, content);
                    }
                };
        TieredTable table = messages(io, dir);
        PendingCommit flush = new PendingCommit("flush", "job/op", 1);
        for (int u = 0; u < 20; u++) {
            flush.changeScope(ScopeId.user("user-" + u), List.of(batch(1, 1, 10)), List.of(), 10);
        }

        assertThat(table.committer(clock).commit(flush, 1).commit()).isEqualTo(1);
        assertThat(writers).allMatch(name -> name.startsWith("tiered-manifests-"));

        TableState state = table.latestState();
        for (int u = 0; u < 20; u++) {
            ScopeId scope = ScopeId.user("user-" + u);
            Path current = table.manifests().currentFile(state, scope);
            if (u == 3) {
                assertThat(table.io().exists(current)).isFalse(); // left to roll forward
                table.manifests().ensureCurrent(state, scope);
                assertThat(table.manifest(state, scope).segments()).hasSize(1);
            } else {
                assertThat(table.io().read(current))
                        .isEqualTo(table.io().read(table.manifests().versionFile(state, scope, 1)));
            }
        }
    }

    @Test
    void recommitOfCommittedCheckpointIsNoOp() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        TableCommitter committer = table.committer(clock);
        PendingCommit pending =
                new PendingCommit("append", "job/op", 7).addHotSegment(hot("h1", 1, 5, ALICE));
        assertThat(committer.commit(pending, 1).alreadyCommitted()).isFalse();
        TableCommitter.CommitResult again = committer.commit(pending, 1);
        assertThat(again.alreadyCommitted()).isTrue();
        assertThat(again.commit()).isEqualTo(1);
        // An older checkpoint replayed after failover is also already committed.
        assertThat(committer.commit(new PendingCommit("append", "job/op", 6), 1).alreadyCommitted())
                .isTrue();
        assertThat(table.latestState().commit()).isEqualTo(1);
    }

    @Test
    void hotSegmentRetiresOnceEveryScopeItTouchedIsFlushedPastIt() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        TableCommitter committer = table.committer(clock);
        committer.commit(
                new PendingCommit("append", "w", 1).addHotSegment(hot("h1", 1, 10, ALICE, BOB)), 1);
        committer.commit(
                new PendingCommit("flush", "w", 2)
                        .changeScope(ALICE, List.of(batch(1, 1, 10)), List.of(), 10),
                1);
        assertThat(table.latestState().hotSegments()).hasSize(1);
        TableCommitter.CommitResult result =
                committer.commit(
                        new PendingCommit("flush", "w", 3)
                                .changeScope(BOB, List.of(batch(2, 2, 9)), List.of(), 10),
                        1);
        assertThat(result.state().hotSegments()).isEmpty();
        assertThat(table.log().read(3).hotRetired()).containsExactly("h1");
    }

    @Test
    void retiringTheSameHotSegmentTwiceFailsClearly() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        table.committer(clock)
                .commit(
                        new PendingCommit("append", "w", 1).addHotSegment(hot("h1", 1, 10, ALICE)),
                        1);
        table.committer(clock)
                .commit(new PendingCommit("erase_user", "p", -1).retireHotSegment("h1"), 1);
        assertThatThrownBy(
                        () ->
                                table.committer(clock)
                                        .commit(
                                                new PendingCommit("erase_user", "q", -1)
                                                        .retireHotSegment("h1"),
                                                1))
                .isInstanceOf(CommitConflictException.class)
                .hasMessage(
                        "Cannot commit erase_user to chat.messages: hot segment h1 is not live");
    }

    @Test
    void removingABatchTwiceFailsClearly() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        TableCommitter committer = table.committer(clock);
        committer.commit(
                new PendingCommit("flush", "w", 1)
                        .changeScope(ALICE, List.of(batch(1, 1, 5), batch(2, 6, 9)), List.of(), 9),
                1);
        committer.commit(
                new PendingCommit("compact", "c1", -1)
                        .changeScope(
                                ALICE,
                                List.of(batch(3, 1, 9)),
                                List.of("batch-1.parquet", "batch-2.parquet"),
                                0),
                1);
        assertThatThrownBy(
                        () ->
                                committer.commit(
                                        new PendingCommit("compact", "c2", -1)
                                                .changeScope(
                                                        ALICE,
                                                        List.of(batch(4, 1, 9)),
                                                        List.of("batch-1.parquet"),
                                                        0),
                                        1))
                .isInstanceOf(CommitConflictException.class)
                .hasMessage(
                        "Cannot commit compact to chat.messages: batch batch-1.parquet of scope"
                                + " alice is not listed (already removed?)");
        ScopeManifest manifest = table.manifest(table.latestState(), ALICE);
        assertThat(manifest.segments()).extracting(s -> s.id()).containsExactly("batch-3.parquet");
        assertThat(manifest.version()).isEqualTo(2);
    }

    /** Two committers with their own handles race for every commit number; nothing is lost. */
    @Test
    void racingCommittersBothLandEveryCommit() throws Exception {
        messages(new FlinkFileIO(), dir);
        int perWriter = 25;
        CommitRace.run(
                2,
                perWriter,
                () ->
                        TieredTable.open(
                                new FlinkFileIO(),
                                org.apache.flink.core.fs.Path.fromLocalFile(dir),
                                "chat",
                                "messages"),
                clock);
        TieredTable reader =
                TieredTable.open(
                        new FlinkFileIO(),
                        org.apache.flink.core.fs.Path.fromLocalFile(dir),
                        "chat",
                        "messages");
        TableState state = reader.latestState();
        assertThat(state.commit()).isEqualTo(2L * perWriter);
        assertThat(state.writers())
                .containsEntry("writer-0", (long) perWriter)
                .containsEntry("writer-1", (long) perWriter);
        for (int w = 0; w < 2; w++) {
            ScopeManifest manifest = reader.manifest(state, ScopeId.user("user" + w));
            assertThat(manifest.segments()).hasSize(perWriter);
            assertThat(manifest.version()).isEqualTo(perWriter);
            assertThat(
                            ScopeManifestParser.fromJson(
                                    reader.io()
                                            .read(
                                                    reader.manifests()
                                                            .currentFile(
                                                                    state,
                                                                    ScopeId.user("user" + w))),
                                    id -> reader.definition().columns().get(id - 1).type()))
                    .isEqualTo(manifest);
        }
    }
}
