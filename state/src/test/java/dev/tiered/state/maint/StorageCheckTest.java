package dev.tiered.state.maint;

import dev.tiered.state.ScopeId;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** check_storage: probes, and with EXTENDED every manifest and file, one row per problem. */
class StorageCheckTest {
    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);
    private File warehouse;
    private TestWriter writer;

    @BeforeEach
    void setUp() throws IOException {
        warehouse = new File(root, "warehouse");
        writer = new TestWriter(new FlinkFileIO(), warehouse, "messages", Map.of(), clock);
        for (int round = 0; round < 3; round++) {
            writer.upsert("alice", round, "a" + round);
            writer.upsert("bob", round, "b" + round);
            writer.checkpoint();
            writer.flush("alice");
            writer.flush("bob");
        }
    }

    private StorageCheck.Report check() {
        return StorageCheck.check(new FlinkFileIO(), "local", Path.fromLocalFile(warehouse), true);
    }

    private File batchOf(String user, int index) throws IOException {
        SegmentEntry segment =
                writer.table
                        .manifest(writer.table.latestState(), ScopeId.user(user))
                        .segments()
                        .get(index);
        return new File(warehouse, "chat/messages/" + user + "/" + segment.path());
    }

    @Test
    void healthyStorageReportsProbeLatenciesAndEachTable() {
        StorageCheck.Report basic =
                StorageCheck.check(
                        new FlinkFileIO(), "local", Path.fromLocalFile(warehouse), false);
        assertThat(basic.status()).isEqualTo(StorageCheck.Status.HEALTHY);
        assertThat(basic.rows())
                .extracting(StorageCheck.Row::check)
                .containsExactly("probe-write", "probe-list", "probe-read", "probe-delete");
        assertThat(basic.rows()).allMatch(r -> r.latencyMillis() >= 0);

        StorageCheck.Report extended = check();
        assertThat(extended.status()).isEqualTo(StorageCheck.Status.HEALTHY);
        assertThat(extended.status().displayName()).isEqualTo("healthy");
        assertThat(extended.rows())
                .anySatisfy(
                        r -> {
                            assertThat(r.check()).isEqualTo("table");
                            assertThat(r.target()).isEqualTo("chat.messages");
                            assertThat(r.severity()).isEqualTo(StorageCheck.Severity.OK);
                        });
        assertThat(warehouse.list()).containsExactly("chat"); // the probe file is gone
    }

    @Test
    void deletedBatchIsReported() throws IOException {
        File batch = batchOf("alice", 1);
        assertThat(batch.delete()).isTrue();

        StorageCheck.Report report = check();

        assertThat(report.status()).isEqualTo(StorageCheck.Status.DEGRADED);
        assertThat(report.problems())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.check()).isEqualTo("batch");
                            assertThat(r.message())
                                    .isEqualTo(
                                            "Missing file: "
                                                    + Path.fromLocalFile(batch)
                                                    + " is referenced by the newest commit of"
                                                    + " chat.messages but does not exist");
                        });
    }

    @Test
    void truncatedParquetFileIsReported() throws IOException {
        File batch = batchOf("bob", 0);
        long length = batch.length();
        try (RandomAccessFile file = new RandomAccessFile(batch, "rw")) {
            file.setLength(length - 20);
        }

        StorageCheck.Report report = check();

        assertThat(report.status()).isEqualTo(StorageCheck.Status.DEGRADED);
        assertThat(report.problems())
                .singleElement()
                .satisfies(
                        r ->
                                assertThat(r.message())
                                        .isEqualTo(
                                                "Wrong size: "
                                                        + Path.fromLocalFile(batch)
                                                        + " has "
                                                        + (length - 20)
                                                        + " bytes, its metadata says "
                                                        + length
                                                        + " (truncated or overwritten)"));
    }

    @Test
    void damagedFooterOfTheListedSizeIsReported() throws IOException {
        File batch = batchOf("bob", 0);
        byte[] bytes = Files.readAllBytes(batch.toPath());
        for (int i = bytes.length - 12; i < bytes.length; i++) {
            bytes[i] = 'X';
        }
        Files.write(batch.toPath(), bytes);

        StorageCheck.Report report = check();

        assertThat(report.problems())
                .singleElement()
                .satisfies(
                        r ->
                                assertThat(r.message())
                                        .startsWith(
                                                "Cannot read the Parquet footer of batch "
                                                        + Path.fromLocalFile(batch)
                                                        + ": "));
    }

    @Test
    void corruptedManifestIsReported() throws IOException {
        File manifest = new File(warehouse, "chat/messages/alice/manifest.json");
        Files.write(
                manifest.toPath(), "{\"table_id\": \"chat.mess".getBytes(StandardCharsets.UTF_8));

        StorageCheck.Report report = check();

        assertThat(report.status()).isEqualTo(StorageCheck.Status.DEGRADED);
        assertThat(report.problems())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.check()).isEqualTo("manifest");
                            assertThat(r.message())
                                    .startsWith(
                                            "Cannot parse manifest "
                                                    + Path.fromLocalFile(manifest)
                                                    + ": ");
                        });
    }

    @Test
    void leftoversOfFailedAttemptsAreCleanableNotDamage() throws IOException {
        File orphan = new File(warehouse, "chat/messages/alice/batch-7.parquet");
        Files.copy(batchOf("alice", 0).toPath(), orphan.toPath());

        StorageCheck.Report report = check();

        assertThat(report.status()).isEqualTo(StorageCheck.Status.HEALTHY);
        assertThat(report.rows())
                .filteredOn(r -> r.severity() == StorageCheck.Severity.CLEANABLE)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.check()).isEqualTo("orphan");
                            assertThat(r.target()).isEqualTo(Path.fromLocalFile(orphan).toString());
                            assertThat(r.message())
                                    .startsWith("Leftover of a failed attempt (batch");
                        });
    }

    @Test
    void unusableStorageIsUnreachable() throws IOException {
        File notADirectory = new File(root, "plain-file");
        Files.write(notADirectory.toPath(), new byte[] {1});

        StorageCheck.Report report =
                StorageCheck.check(
                        new FlinkFileIO(), "broken", Path.fromLocalFile(notADirectory), true);

        assertThat(report.status()).isEqualTo(StorageCheck.Status.UNREACHABLE);
        assertThat(report.rows())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.severity()).isEqualTo(StorageCheck.Severity.UNREACHABLE);
                            assertThat(r.message()).startsWith("Cannot use storage at ");
                        });
    }
}
