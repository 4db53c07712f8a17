package dev.tiered.state.maint;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.ManualClock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer with small flushes runs for thousands of commits with automatic compaction, expiry and
 * orphan cleanup: the number of files and the bytes of metadata stay under fixed bounds however
 * long it runs, and reads stay equal to the model.
 */
class LongRunningMaintenanceTest {
    private static final List<String> USERS = List.of("alice", "bob", "carol");
    private static final int STEPS = 1500;
    private static final int MAX_FILES = 4;
    private static final int RETAIN_COMMITS = 30;
    private static final int EXPIRE_EVERY = 25;

    /**
     * Retained commits: RETAIN_COMMITS, up to a checkpoint interval below, and those made between
     * two expiries (about 2.3 a step, so under 60); every file of the table is one of their commit
     * files or a file they reference. Without maintenance the table would hold over 10,000.
     */
    private static final int MAX_TABLE_FILES = 300;

    private static final long MAX_METADATA_BYTES = 512L * 1024;

    @TempDir File root;

    private record Usage(int files, long metadataBytes) {}

    private static Usage usage(File dir) {
        int files = 0;
        long metadata = 0;
        File[] children = dir.listFiles();
        for (File child : children == null ? new File[0] : children) {
            if (child.isDirectory()) {
                Usage inner = usage(child);
                files += inner.files();
                metadata += inner.metadataBytes();
            } else {
                files++;
                if (child.getName().endsWith(".json") || child.getName().startsWith("_")) {
                    metadata += child.length();
                }
            }
        }
        return new Usage(files, metadata);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void fileCountAndMetadataStayBoundedOverThousandsOfCommits() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ManualClock clock = new ManualClock(TestWriter.START_MILLIS);
        File dir = new File(root, "warehouse");
        TestWriter w = new TestWriter(new FlinkFileIO(), dir, "messages", Map.of(), clock);
        TieredTable table = w.table;
        MaintenanceOptions options =
                MaintenanceOptions.defaults()
                        .withMaxFiles(MAX_FILES)
                        .withTargetFileBytes(256 * 1024)
                        .withRetainCommits(RETAIN_COMMITS)
                        .withRetainTime(Duration.ZERO)
                        .withOrphanGracePeriod(Duration.ZERO);
        File tableDir = new File(dir, "chat/messages");
        Usage peak = new Usage(0, 0);
        int compactions = 0;
        for (int step = 1; step <= STEPS; step++) {
            int changes = 1 + random.nextInt(4);
            for (int i = 0; i < changes; i++) {
                String user = USERS.get(random.nextInt(USERS.size()));
                long key = random.nextInt(60);
                if (random.nextInt(5) == 0) {
                    w.delete(user, key);
                } else {
                    w.upsert(user, key, "v" + step + "-" + i);
                }
            }
            w.checkpoint();
            w.flush(USERS.get(step % USERS.size()));
            compactions += Compaction.compactIfNeeded(table, options, clock).size();
            if (step % EXPIRE_EVERY == 0) {
                Expiry.expire(table, options, clock);
            }
            if (step % 100 == 60) { // between two expiries: not at a low point
                OrphanCleanup.clean(
                        table, options, new ManualClock(System.currentTimeMillis() + 60_000));
                Usage now = usage(tableDir);
                peak =
                        new Usage(
                                Math.max(peak.files(), now.files()),
                                Math.max(peak.metadataBytes(), now.metadataBytes()));
                assertThat(now.files())
                        .as("seed %d, step %d: files of the table", seed, step)
                        .isLessThanOrEqualTo(MAX_TABLE_FILES);
                assertThat(now.metadataBytes())
                        .as("seed %d, step %d: metadata bytes", seed, step)
                        .isLessThanOrEqualTo(MAX_METADATA_BYTES);
                TableState state = table.latestState();
                for (String user : USERS) {
                    assertThat(TestWriter.read(table, state, user))
                            .as("seed %d, step %d, user %s", seed, step, user)
                            .isEqualTo(w.expected(user));
                    assertThat(table.manifest(state, ScopeId.user(user)).segments().size())
                            .as("seed %d, step %d: batches of %s", seed, step, user)
                            .isLessThanOrEqualTo(MAX_FILES);
                }
            }
        }
        TableState latest = table.latestState();
        assertThat(latest.commit()).as("seed %d", seed).isGreaterThan(3000);
        assertThat(compactions).as("seed %d", seed).isGreaterThan(STEPS / 10);
        assertThat(table.log().listCommits().size())
                .as("seed %d: commit files", seed)
                .isLessThanOrEqualTo(
                        RETAIN_COMMITS + TieredTableLogInterval.VALUE + 3 * EXPIRE_EVERY);
        // Time travel still reaches the oldest retained commit.
        long oldest = table.log().listCommits().get(0);
        assertThat(table.stateAt(oldest).commit()).isEqualTo(oldest);
        System.out.printf(
                "LongRunningMaintenanceTest seed %d: %d commits, %d compactions, peak %d files,"
                        + " %d metadata bytes%n",
                seed, latest.commit(), compactions, peak.files(), peak.metadataBytes());
    }

    /** The log checkpoint interval, named for the bound above. */
    private static final class TieredTableLogInterval {
        static final int VALUE = TieredTable.LOG_CHECKPOINT_INTERVAL;
    }
}
