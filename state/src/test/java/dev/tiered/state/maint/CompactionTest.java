package dev.tiered.state.maint;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.CommitConflictException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchFile;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.ManualClock;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Compaction of a scope: merged reads stay equal, tombstones never let a deleted key come back. */
class CompactionTest {
    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);

    private TestWriter writer(HookedFileIO io) throws IOException {
        return new TestWriter(io, new File(root, "t"), Map.of(), clock);
    }

    private static List<SegmentEntry> batches(TieredTable table, String user) throws IOException {
        return table.manifest(table.latestState(), ScopeId.user(user)).segments();
    }

    @Test
    void compactionMergesBatchesAndReadsAreUnchanged() throws IOException {
        TestWriter w = writer(new HookedFileIO(new FlinkFileIO()));
        for (int round = 0; round < 5; round++) {
            for (long k = 0; k < 6; k++) {
                w.upsert("alice", k, "a" + round + "-" + k);
                w.upsert("bob", k, "b" + round + "-" + k);
            }
            w.delete("alice", round);
            w.checkpoint();
            w.flush("alice");
            w.flush("bob");
        }
        TieredTable table = w.table;
        TableState before = table.latestState();
        assertThat(batches(table, "alice")).hasSize(5);

        Compaction.Result result =
                Compaction.compactScope(
                        table, ScopeId.user("alice"), MaintenanceOptions.defaults(), clock);

        assertThat(result.compacted()).isTrue();
        assertThat(result.filesRemoved()).isEqualTo(5);
        assertThat(result.filesAdded()).isEqualTo(1);
        assertThat(result.rowsWritten()).isEqualTo(w.expected("alice").size());
        assertThat(result.rowsRead()).isGreaterThan(result.rowsWritten());
        assertThat(batches(table, "alice")).hasSize(1);
        assertThat(batches(table, "bob")).hasSize(5);
        TableState after = table.latestState();
        assertThat(TestWriter.read(table, after, "alice")).isEqualTo(w.expected("alice"));
        assertThat(TestWriter.read(table, after, "bob")).isEqualTo(w.expected("bob"));
        // Snapshot isolation: the commit before the compaction still reads its own batches.
        assertThat(TestWriter.read(table, table.stateAt(before.commit()), "alice"))
                .isEqualTo(w.expected("alice"));
        assertThat(table.log().read(result.commit()).operation()).isEqualTo("compact");

        Compaction.Result again =
                Compaction.compactScope(
                        table, ScopeId.user("alice"), MaintenanceOptions.defaults(), clock);
        assertThat(again.compacted()).isFalse();
        assertThat(again.message()).startsWith("nothing to compact");
    }

    @Test
    void tombstoneIsKeptWhileAnOlderVersionRemainsAndDroppedAfter() throws IOException {
        TestWriter w = writer(new HookedFileIO(new FlinkFileIO()));
        for (long k = 0; k < 400; k++) {
            w.upsert("alice", k, "a long enough value to make this batch the big one " + k);
        }
        w.checkpoint();
        w.flush("alice");
        long bigBatch = batches(w.table, "alice").get(0).sizeBytes();
        w.delete("alice", 1);
        w.checkpoint();
        w.flush("alice");
        w.upsert("alice", 2, "changed");
        w.checkpoint();
        w.flush("alice");
        ScopeId alice = ScopeId.user("alice");

        // The big batch is at the target size: left out, and it holds key 1, older than the
        // tombstone; the tombstone must stay.
        Compaction.Result partial =
                Compaction.compactScope(
                        w.table,
                        alice,
                        MaintenanceOptions.defaults().withTargetFileBytes(bigBatch),
                        clock);
        assertThat(partial.filesRemoved()).isEqualTo(2);
        assertThat(partial.tombstonesDropped()).isZero();
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"))
                .doesNotContainKey(1L);

        Compaction.Result full =
                Compaction.compactScope(w.table, alice, MaintenanceOptions.defaults(), clock);
        assertThat(full.filesRemoved()).isEqualTo(2);
        assertThat(full.tombstonesDropped()).isEqualTo(1);
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"))
                .doesNotContainKey(1L);
    }

    @Test
    void compactionBesideAWriterIsRebasedOntoTheWritersCommit() throws IOException {
        HookedFileIO io = new HookedFileIO(new FlinkFileIO());
        TestWriter w = writer(io);
        for (int round = 0; round < 3; round++) {
            w.upsert("alice", round, "v" + round);
            w.checkpoint();
            w.flush("alice");
        }
        long[] writerCommit = new long[1];
        io.beforeNextCommit(
                () -> {
                    w.upsert("alice", 9, "written during the compaction");
                    w.checkpoint();
                    writerCommit[0] = w.flush("alice");
                });

        Compaction.Result result =
                Compaction.compactScope(
                        w.table, ScopeId.user("alice"), MaintenanceOptions.defaults(), clock);

        assertThat(result.commit()).isEqualTo(writerCommit[0] + 1);
        assertThat(batches(w.table, "alice")).hasSize(2); // the compacted one + the writer's
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"))
                .containsKey(9L);
    }

    @Test
    void losingCompactionFailsWithAConflictAndLeavesNoFiles() throws IOException {
        HookedFileIO io = new HookedFileIO(new FlinkFileIO());
        TestWriter w = writer(io);
        for (int round = 0; round < 3; round++) {
            w.upsert("alice", round, "v" + round);
            w.checkpoint();
            w.flush("alice");
        }
        TieredTable other =
                TieredTable.open(
                        new FlinkFileIO(),
                        Path.fromLocalFile(new File(root, "t")),
                        "chat",
                        "messages");
        io.beforeNextCommit(
                () ->
                        Compaction.compactScope(
                                other,
                                ScopeId.user("alice"),
                                MaintenanceOptions.defaults(),
                                clock));

        assertThatThrownBy(
                        () ->
                                Compaction.compactScope(
                                        w.table,
                                        ScopeId.user("alice"),
                                        MaintenanceOptions.defaults(),
                                        clock))
                .isInstanceOf(CommitConflictException.class)
                .hasMessageContaining("Cannot commit compact to chat.messages: batch batch-")
                .hasMessageContaining("is not listed (already removed?)");
        assertThat(batches(w.table, "alice")).hasSize(1);
        long unreferencedBatches =
                OrphanCleanup.find(w.table).stream().filter(o -> o.kind().equals("batch")).count();
        assertThat(unreferencedBatches).as("the loser deleted what it wrote").isZero();
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"));
    }

    @Test
    void droppedTombstoneConflictsWithABatchOfOlderVersionsAddedMeanwhile() throws IOException {
        HookedFileIO io = new HookedFileIO(new FlinkFileIO());
        TestWriter w = writer(io);
        long olderSeq = w.ids.nextId();
        w.upsert("alice", 1, "one");
        w.checkpoint();
        w.flush("alice");
        w.delete("alice", 1);
        w.checkpoint();
        w.flush("alice");
        ScopeId alice = ScopeId.user("alice");
        // Another writer (a rescale hand-over) commits a batch holding an older version of key 1.
        io.beforeNextCommit(
                () -> {
                    Path path = new Path(w.table.scopeDir(alice), "batch-late.parquet");
                    BatchFile file;
                    try (BatchWriter late =
                            BatchWriter.create(
                                    path,
                                    w.table.definition(),
                                    alice,
                                    BatchWriter.Options.defaults())) {
                        late.write(TestWriter.row(1, "alice", "stale"), olderSeq, ChangeOp.UPSERT);
                        file = late.finish();
                    }
                    SegmentEntry entry = Segments.entry(file, w.table.definition(), clock.millis());
                    w.table
                            .committer(clock)
                            .commit(
                                    new PendingCommit("flush", "w2", -1)
                                            .changeScope(alice, List.of(entry), List.of(), 0),
                                    1);
                });

        assertThatThrownBy(
                        () ->
                                Compaction.compactScope(
                                        w.table, alice, MaintenanceOptions.defaults(), clock))
                .isInstanceOf(CommitConflictException.class)
                .hasMessage(
                        "Cannot commit compact to chat.messages: batch batch-late.parquet of scope"
                                + " alice may hold versions older than a tombstone the compaction"
                                + " dropped");
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .as("the tombstone still hides the late older version")
                .doesNotContainKey(1L);
    }

    @Test
    void failureWhileRewritingLeavesTheTableAndNoFiles() throws IOException {
        TestWriter w = writer(new HookedFileIO(new FlinkFileIO()));
        for (int round = 0; round < 2; round++) {
            for (long k = 0; k < 50; k++) {
                w.upsert("alice", k, "v" + round + "-" + k);
            }
            w.checkpoint();
            w.flush("alice");
        }
        // A damaged batch in alice's directory holds a row of bob with the highest key: the
        // rewrite fails at that row, after it has written alice's 50 rows to its new file.
        ScopeId alice = ScopeId.user("alice");
        Path damaged = new Path(w.table.scopeDir(alice), "batch-damaged.parquet");
        BatchFile file;
        try (BatchWriter writer =
                BatchWriter.create(
                        damaged,
                        w.table.definition(),
                        ScopeId.user("bob"),
                        BatchWriter.Options.defaults())) {
            writer.write(TestWriter.row(1000, "bob", "misplaced"), w.ids.nextId(), ChangeOp.UPSERT);
            file = writer.finish();
        }
        w.table
                .committer(clock)
                .commit(
                        new PendingCommit("flush", "w2", -1)
                                .changeScope(
                                        alice,
                                        List.of(
                                                Segments.entry(
                                                        file,
                                                        w.table.definition(),
                                                        clock.millis())),
                                        List.of(),
                                        0),
                        1);
        TableState before = w.table.latestState();

        assertThatThrownBy(
                        () ->
                                Compaction.compactScope(
                                        w.table, alice, MaintenanceOptions.defaults(), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bob");

        assertThat(w.table.latestState()).isEqualTo(before);
        assertThat(OrphanCleanup.find(w.table)).as("the partial output is deleted").isEmpty();
    }

    @Test
    void automaticCompactionKeepsTheBatchCountBounded() throws IOException {
        TestWriter w = writer(new HookedFileIO(new FlinkFileIO()));
        MaintenanceOptions options = MaintenanceOptions.defaults().withMaxFiles(3);
        int compactions = 0;
        for (int round = 0; round < 20; round++) {
            w.upsert("alice", round % 7, "v" + round);
            w.checkpoint();
            w.flush("alice");
            compactions += Compaction.compactIfNeeded(w.table, options, clock).size();
            assertThat(batches(w.table, "alice")).hasSizeLessThanOrEqualTo(3);
        }
        assertThat(compactions).isGreaterThan(3);
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"));
        assertThat(Compaction.compactIfNeeded(w.table, options.withMaxFiles(0), clock)).isEmpty();
    }

    @Test
    void streamTablesAreNotCompacted() throws IOException {
        TableDefinition definition =
                TableDefinition.create(
                        "app",
                        "events",
                        TestTables.columns("id BIGINT NOT NULL", "payload STRING"),
                        List.of("id"),
                        Map.of("TYPE", "STREAM", "TTL_SECONDS", "60"),
                        id -> true);
        TieredTable table =
                TieredTable.create(
                        new FlinkFileIO(), Path.fromLocalFile(new File(root, "s")), definition);
        assertThatThrownBy(
                        () -> Compaction.compactTable(table, MaintenanceOptions.defaults(), clock))
                .isInstanceOf(TieredException.class)
                .hasMessage(
                        "Cannot compact app.events: it is a STREAM table, which is never flushed"
                                + " to batches");
        assertThat(Compaction.compactIfNeeded(table, MaintenanceOptions.defaults(), clock))
                .isEmpty();
    }

    @Test
    void optionsAreReadFromTheTableProperties() {
        MaintenanceOptions options =
                MaintenanceOptions.parse(
                        Map.of(
                                "compaction.target-file-size", "8mb",
                                "compaction.max-files", "5",
                                "log.retain-commits", "20",
                                "log.retain-time", "30 min",
                                "orphan-files.grace-period", "2 h",
                                "sink.bad-rows", "skip"));
        assertThat(options.targetFileBytes()).isEqualTo(8L << 20);
        assertThat(options.maxFiles()).isEqualTo(5);
        assertThat(options.retainCommits()).isEqualTo(20);
        assertThat(options.retainTime()).hasMinutes(30);
        assertThat(options.orphanGracePeriod()).hasHours(2);
        assertThatThrownBy(() -> MaintenanceOptions.parse(Map.of("compaction.max-files", "x")))
                .hasMessage("Invalid 'compaction.max-files' value 'x'. Expected an integer");
        assertThatThrownBy(() -> MaintenanceOptions.parse(Map.of("log.retain-commits", "0")))
                .hasMessage("Cannot configure maintenance: retain commits must be at least 1");
    }
}
