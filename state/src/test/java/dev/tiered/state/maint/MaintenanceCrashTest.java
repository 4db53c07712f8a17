package dev.tiered.state.maint;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.FaultInjectingFileIO;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.tiered.state.maint.EraseUserTest.SECRET;
import static dev.tiered.state.maint.EraseUserTest.USER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 3 for maintenance: each operation is crashed before and after every file operation it
 * makes (commit file, manifests, checkpoints, deletes, rewrites); the table a fresh reader then
 * sees reads correctly, re-running the operation finishes the job, and after orphan cleanup the
 * storage check finds neither damage nor leftovers.
 */
class MaintenanceCrashTest {
    enum Operation {
        COMPACT,
        EXPIRE,
        ORPHAN_CLEANUP,
        ERASE,
        EXPORT
    }

    @TempDir File root;

    private static final MaintenanceOptions OPTIONS =
            MaintenanceOptions.defaults()
                    .withRetainCommits(1)
                    .withRetainTime(Duration.ZERO)
                    .withOrphanGracePeriod(Duration.ZERO);

    /** A clock past every file's modification time: every orphan is past its grace period. */
    private static Clock future() {
        return new ManualClock(System.currentTimeMillis() + 60_000);
    }

    /** Twelve-odd commits of two users, some rows still hot, and two orphans. */
    private static TestWriter setUp(TableFileIO io, File warehouse) throws IOException {
        TestWriter w =
                new TestWriter(
                        io,
                        warehouse,
                        "messages",
                        Map.of(),
                        new ManualClock(TestWriter.START_MILLIS));
        for (int round = 0; round < 4; round++) {
            for (long k = 0; k < 4; k++) {
                w.upsert(USER, k, SECRET + "-" + round + "-" + k);
                w.upsert("bob", k, "bob-" + round + "-" + k);
            }
            w.delete(USER, round);
            w.checkpoint();
            w.flush(USER);
            if (round % 2 == 1) {
                w.flush("bob");
            }
        }
        w.upsert(USER, 42, SECRET + "-hot");
        w.upsert("bob", 42, "bob-hot");
        w.checkpoint();
        ScopeId bob = ScopeId.user("bob");
        try (BatchWriter lost =
                BatchWriter.create(
                        new Path(w.table.scopeDir(bob), "batch-1.parquet"),
                        w.table.definition(),
                        bob,
                        BatchWriter.Options.defaults())) {
            lost.write(TestWriter.row(1, "bob", "never committed"), 1, ChangeOp.UPSERT);
            lost.finish();
        }
        return w;
    }

    private static void run(Operation operation, TieredTable table, File root) throws IOException {
        Clock clock = new ManualClock(TestWriter.START_MILLIS + 3_600_000);
        switch (operation) {
            case COMPACT -> Compaction.compactScope(table, ScopeId.user(USER), OPTIONS, clock);
            case EXPIRE -> Expiry.expire(table, OPTIONS, clock);
            case ORPHAN_CLEANUP -> OrphanCleanup.clean(table, OPTIONS, future());
            case ERASE -> UserErasure.erase(List.of(table), USER, clock);
            case EXPORT ->
                    UserExport.export(
                            List.of(table),
                            USER,
                            Path.fromLocalFile(new File(root, "export")),
                            OPTIONS,
                            clock);
        }
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void crashAtEveryStepLeavesAConsistentTableAndTheNextRunFinishes(Operation operation)
            throws IOException {
        File reference = new File(root, "reference");
        FaultInjectingFileIO referenceIo = new FaultInjectingFileIO(new FlinkFileIO());
        TestWriter model = setUp(referenceIo, new File(reference, "warehouse"));
        int before = referenceIo.steps().size();
        run(operation, model.table, reference);
        List<String> steps = referenceIo.steps().subList(before, referenceIo.steps().size());
        assertThat(steps).as("the file operations of %s", operation).isNotEmpty();

        int runs = 0;
        for (int step = 0; step < steps.size(); step++) {
            for (FaultInjectingFileIO.When when : FaultInjectingFileIO.When.values()) {
                String crash = operation + " crashed " + when + " " + steps.get(step);
                File dir = new File(root, "run-" + runs++);
                File warehouse = new File(dir, "warehouse");
                FaultInjectingFileIO io = new FaultInjectingFileIO(new FlinkFileIO());
                TestWriter w = setUp(io, warehouse);
                io.crashAt(step, when);
                try {
                    run(operation, w.table, dir);
                } catch (FaultInjectingFileIO.InjectedCrash expected) {
                    // the process dies here
                }
                check(operation, w, warehouse, dir, crash);
            }
        }
    }

    private static void check(
            Operation operation, TestWriter model, File warehouse, File dir, String crash)
            throws IOException {
        Path base = Path.fromLocalFile(warehouse);
        TieredTable fresh = TieredTable.open(new FlinkFileIO(), base, "chat", "messages");
        TableState state = fresh.latestState();
        assertThat(TestWriter.read(fresh, state, "bob")).as(crash).isEqualTo(model.expected("bob"));
        Map<Long, String> user = TestWriter.read(fresh, state, USER);
        if (operation == Operation.ERASE) {
            assertThat(user).as(crash).isIn(model.expected(USER), Map.of());
        } else {
            assertThat(user).as(crash).isEqualTo(model.expected(USER));
        }

        // The next run finishes the job.
        run(operation, fresh, dir);
        TieredTable after = TieredTable.open(new FlinkFileIO(), base, "chat", "messages");
        TableState finished = after.latestState();
        assertThat(TestWriter.read(after, finished, "bob"))
                .as(crash)
                .isEqualTo(model.expected("bob"));
        switch (operation) {
            case ERASE -> {
                assertThat(TestWriter.read(after, finished, USER)).as(crash).isEmpty();
                assertThat(EraseUserTest.filesHolding(warehouse, SECRET)).as(crash).isEmpty();
                assertThat(EraseUserTest.filesHolding(warehouse, USER)).as(crash).isEmpty();
            }
            case EXPORT ->
                    assertThat(
                                    ExportUserTest.readExport(
                                            new File(dir, "export/chat/messages"), USER))
                            .as(crash)
                            .isEqualTo(model.expected(USER));
            case COMPACT -> {
                assertThat(after.manifest(finished, ScopeId.user(USER)).segments())
                        .as(crash)
                        .hasSize(1);
                assertThat(TestWriter.read(after, finished, USER))
                        .as(crash)
                        .isEqualTo(model.expected(USER));
            }
            case EXPIRE -> {
                assertThat(after.log().listCommits()).as(crash).first().isEqualTo(10L);
                assertThat(after.log().listCheckpoints()).as(crash).containsExactly(10L);
                assertThat(TestWriter.read(after, finished, USER))
                        .as(crash)
                        .isEqualTo(model.expected(USER));
            }
            case ORPHAN_CLEANUP -> assertThat(OrphanCleanup.find(after)).as(crash).isEmpty();
        }

        // What crashed attempts left is cleanable, and nothing is damaged.
        OrphanCleanup.clean(after, OPTIONS, future());
        StorageCheck.Report report = StorageCheck.check(new FlinkFileIO(), "local", base, true);
        assertThat(report.problems()).as(crash).isEmpty();
        assertThat(report.rows())
                .as(crash)
                .noneMatch(r -> r.severity() == StorageCheck.Severity.CLEANABLE);
    }
}
