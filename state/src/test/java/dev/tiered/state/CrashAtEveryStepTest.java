package dev.tiered.state;

import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.ScopeManifestParser;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.FaultInjectingFileIO;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import static dev.tiered.state.testing.TableFixtures.batch;
import static dev.tiered.state.testing.TableFixtures.hot;
import static dev.tiered.state.testing.TableFixtures.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Invariants 2 and 3: a crash at any step of a commit — after the data files, before or after the
 * commit file, before or after each manifest version, before or after {@code manifest.json}, the
 * log checkpoint and the hint — leaves a table a fresh reader sees either as before or as after the
 * commit, never a mix, and the next commit succeeds.
 */
class CrashAtEveryStepTest {
    private static final ScopeId ALICE = ScopeId.user("alice");
    private static final ScopeId BOB = ScopeId.user("bob");
    private static final List<ScopeId> SCOPES = List.of(ALICE, BOB);

    @TempDir File root;

    /** Commit 1: both users flushed once, one live hot segment. */
    private static void setUp(TieredTable table) throws IOException {
        table.committer(new ManualClock(1_000))
                .commit(
                        new PendingCommit("flush", "w", 1)
                                .addHotSegment(hot("h1", 1, 30, ALICE, BOB))
                                .changeScope(ALICE, List.of(batch(1, 1, 10)), List.of(), 10)
                                .changeScope(BOB, List.of(batch(2, 2, 12)), List.of(), 12),
                        1);
    }

    /**
     * The operation under test: write a batch, then commit a flush of alice + a compaction of bob.
     */
    private static void operation(TieredTable table) throws IOException {
        Path data = new Path(table.scopeDir(ALICE), "batch-3.parquet");
        table.io().createIfAbsent(data, new byte[] {'P', 'A', 'R', '1'});
        table.committer(new ManualClock(2_000))
                .commit(
                        new PendingCommit("flush", "w", 2)
                                .addHotSegment(hot("h2", 31, 40, ALICE))
                                .changeScope(ALICE, List.of(batch(3, 11, 20)), List.of(), 20)
                                .changeScope(
                                        BOB,
                                        List.of(batch(4, 2, 12)),
                                        List.of("batch-2.parquet"),
                                        0),
                        1);
    }

    private record Reference(
            TableState before,
            TableState after,
            Map<ScopeId, ScopeManifest[]> manifests,
            List<String> steps) {}

    private Reference reference() throws IOException {
        File dir = new File(root, "reference");
        FaultInjectingFileIO io = new FaultInjectingFileIO(new FlinkFileIO());
        TieredTable table = messages(io, dir);
        setUp(table);
        TableState before = table.latestState();
        ScopeManifest[] alice = new ScopeManifest[2];
        ScopeManifest[] bob = new ScopeManifest[2];
        alice[0] = table.manifest(before, ALICE);
        bob[0] = table.manifest(before, BOB);
        int stepsBefore = io.steps().size();
        operation(table);
        List<String> steps = io.steps().subList(stepsBefore, io.steps().size());
        TableState after = table.latestState();
        alice[1] = table.manifest(after, ALICE);
        bob[1] = table.manifest(after, BOB);
        return new Reference(before, after, Map.of(ALICE, alice, BOB, bob), steps);
    }

    @Test
    void crashAtEveryStepLeavesTheOldOrTheNewTable() throws IOException {
        Reference ref = reference();
        assertThat(ref.steps())
                .as("the steps of the operation")
                .anyMatch(s -> s.startsWith("create _log/"))
                .anyMatch(s -> s.contains("manifest-v2.json"))
                .anyMatch(s -> s.contains("manifest.json"));
        int run = 0;
        for (int step = 0; step < ref.steps().size(); step++) {
            for (FaultInjectingFileIO.When when : FaultInjectingFileIO.When.values()) {
                String crash = when + " " + ref.steps().get(step);
                File dir = new File(root, "run-" + run++);
                FaultInjectingFileIO io = new FaultInjectingFileIO(new FlinkFileIO());
                TieredTable table = messages(io, dir);
                setUp(table);
                io.crashAt(step, when);
                try {
                    operation(table);
                } catch (FaultInjectingFileIO.InjectedCrash expected) {
                    // the process "dies" here
                }
                checkReadable(dir, ref, crash);
            }
        }
    }

    private static void checkReadable(File dir, Reference ref, String crash) throws IOException {
        TableFileIO io = new FlinkFileIO();
        // manifest.json on disk is never partial: it is the old or the new version, or absent.
        TieredTable fresh = TieredTable.open(io, Path.fromLocalFile(dir), "chat", "messages");
        for (ScopeId scope : SCOPES) {
            Path current = fresh.manifests().currentFile(fresh.latestState(), scope);
            if (io.exists(current)) {
                ScopeManifest onDisk =
                        ScopeManifestParser.fromJson(
                                io.read(current),
                                id -> fresh.definition().columns().get(id - 1).type());
                assertThat(onDisk).as(crash).isIn((Object[]) ref.manifests().get(scope));
            }
        }
        TableState state = fresh.latestState();
        int which;
        if (state.equals(ref.before())) {
            which = 0;
        } else if (state.equals(ref.after())) {
            which = 1;
        } else {
            fail(
                    "after a crash "
                            + crash
                            + " the table is neither the old nor the new one: "
                            + state);
            return;
        }
        for (ScopeId scope : SCOPES) {
            assertThat(fresh.manifest(state, scope))
                    .as(crash + ", scope " + scope)
                    .isEqualTo(ref.manifests().get(scope)[which]);
        }
        // The next commit succeeds and rolls the scope files forward.
        TableState next =
                fresh.committer(new ManualClock(3_000))
                        .commit(
                                new PendingCommit("flush", "w2", 1)
                                        .changeScope(
                                                ALICE, List.of(batch(9, 41, 50)), List.of(), 50)
                                        .changeScope(
                                                BOB, List.of(batch(10, 41, 50)), List.of(), 50),
                                1)
                        .state();
        assertThat(next.commit()).as(crash).isEqualTo(state.commit() + 1);
        for (ScopeId scope : SCOPES) {
            ScopeManifest manifest = fresh.manifest(next, scope);
            assertThat(manifest.segments())
                    .as(crash)
                    .hasSize(ref.manifests().get(scope)[which].segments().size() + 1);
            assertThat(io.read(fresh.manifests().currentFile(next, scope)))
                    .as(crash + ": manifest.json is current")
                    .isEqualTo(
                            io.read(
                                    fresh.manifests()
                                            .versionFile(next, scope, manifest.version())));
        }
    }
}
