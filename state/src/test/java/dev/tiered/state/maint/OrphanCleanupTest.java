package dev.tiered.state.maint;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.HotSegmentCompression;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Orphan cleanup removes leftovers of failed attempts after the grace period, nothing else. */
class OrphanCleanupTest {
    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);

    private static List<File> all(File dir) {
        List<File> files = new ArrayList<>();
        File[] children = dir.listFiles();
        for (File child : children == null ? new File[0] : children) {
            if (child.isDirectory()) {
                files.addAll(all(child));
            } else {
                files.add(child);
            }
        }
        return files;
    }

    @Test
    void removesLeftoversOlderThanTheGracePeriodOnly() throws IOException {
        TestWriter w = new TestWriter(new FlinkFileIO(), new File(root, "t"), Map.of(), clock);
        for (int round = 0; round < 3; round++) {
            w.upsert("alice", round, "v" + round);
            w.upsert("bob", round, "v" + round);
            w.checkpoint();
            w.flush("alice");
        }
        ScopeId alice = ScopeId.user("alice");
        // A flush that crashed before its commit, a hot segment of a failed checkpoint, a temp
        // file of an interrupted commit-file write.
        Path lostBatch = new Path(w.table.scopeDir(alice), "batch-1.parquet");
        try (BatchWriter writer =
                BatchWriter.create(
                        lostBatch, w.table.definition(), alice, BatchWriter.Options.defaults())) {
            writer.write(TestWriter.row(99, "alice", "never committed"), 1, ChangeOp.UPSERT);
            writer.finish();
        }
        Path lostHot = new Path(w.table.layout().hotDir(), "w-lost.avro");
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(
                        lostHot, w.table.definition(), HotSegmentCompression.NONE)) {
            writer.write(alice, 2, ChangeOp.UPSERT, TestWriter.row(98, "alice", "lost"));
            writer.finish();
        }
        File temp =
                new File(
                        new File(root, "t/chat/messages/_log"), ".00000000000000000099.json.x.tmp");
        Files.write(temp.toPath(), new byte[] {'{'});
        List<String> leftovers =
                List.of(lostBatch.getPath(), lostHot.getPath(), temp.getAbsolutePath());

        assertThat(OrphanCleanup.find(w.table))
                .extracting(o -> new Path(o.path()).getPath())
                .containsExactlyInAnyOrderElementsOf(leftovers);

        // Everything was just written: within the grace period nothing goes.
        clock.set(System.currentTimeMillis());
        OrphanCleanup.Result young =
                OrphanCleanup.clean(w.table, MaintenanceOptions.defaults(), clock);
        assertThat(young.deleted()).isEmpty();
        assertThat(young.kept()).hasSize(3);

        // Two days later (file times moved back), every leftover goes, and nothing else.
        long twoDaysAgo = System.currentTimeMillis() - 2 * 24 * 3600 * 1000L;
        List<File> before = all(new File(root, "t"));
        before.forEach(f -> assertThat(f.setLastModified(twoDaysAgo)).isTrue());
        OrphanCleanup.Result old =
                OrphanCleanup.clean(w.table, MaintenanceOptions.defaults(), clock);
        assertThat(old.deleted())
                .extracting(o -> new Path(o.path()).getPath())
                .containsExactlyInAnyOrderElementsOf(leftovers);
        assertThat(old.bytesDeleted()).isPositive();
        List<File> after = all(new File(root, "t"));
        assertThat(before.size() - after.size()).isEqualTo(3);
        for (String user : List.of("alice", "bob")) {
            assertThat(TestWriter.read(w.table, w.table.latestState(), user))
                    .isEqualTo(w.expected(user));
        }
        assertThat(OrphanCleanup.find(w.table)).isEmpty();
    }
}
