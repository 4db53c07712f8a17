package dev.tiered.state.maint;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Expiry keeps what time travel and pinned readers need, and deletes what only older commits did.
 */
class ExpiryTest {
    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);
    private final Map<Long, Map<String, Map<Long, String>>> snapshots = new TreeMap<>();

    private void snapshot(TestWriter w) throws IOException {
        Map<String, Map<Long, String>> copy = new HashMap<>();
        w.model.forEach((u, m) -> copy.put(u, new TreeMap<>(m)));
        snapshots.put(w.table.latestState().commit(), copy);
    }

    /** Rounds of changes, flushes and compactions: 4 commits a round. */
    private TestWriter history(int rounds) throws IOException {
        TestWriter w = new TestWriter(new FlinkFileIO(), new File(root, "t"), Map.of(), clock);
        for (int round = 0; round < rounds; round++) {
            for (long k = 0; k < 4; k++) {
                w.upsert("alice", k, "a" + round + k);
                w.upsert("bob", k + round, "b" + round + k);
            }
            w.delete("alice", round % 4);
            w.checkpoint();
            snapshot(w);
            w.flush("alice");
            snapshot(w);
            w.flush("bob");
            snapshot(w);
            Compaction.compactScope(
                    w.table, ScopeId.user("alice"), MaintenanceOptions.defaults(), clock);
            snapshot(w);
        }
        return w;
    }

    private static int files(File dir) {
        File[] children = dir.listFiles();
        int count = 0;
        for (File child : children == null ? new File[0] : children) {
            count += child.isDirectory() ? files(child) : 1;
        }
        return count;
    }

    @Test
    void keepsTheNewestCommitsAndDeletesWhatOnlyExpiredOnesReference() throws IOException {
        TestWriter w = history(10);
        TieredTable table = w.table;
        long latest = table.log().latestCommit();
        int filesBefore = files(new File(root, "t"));
        MaintenanceOptions options =
                MaintenanceOptions.defaults().withRetainCommits(8).withRetainTime(Duration.ZERO);

        Expiry.Result result = Expiry.expire(table, options, clock);

        long keep = ((latest - 8 + 1) / 10) * 10;
        assertThat(result.oldestRetained()).isEqualTo(keep);
        assertThat(result.commitsRemoved()).isEqualTo(keep - 1);
        assertThat(result.dataFilesRemoved()).isPositive();
        assertThat(result.manifestsRemoved()).isPositive();
        assertThat(table.log().listCommits()).first().isEqualTo(keep);
        assertThat(keep).isGreaterThan(10);
        assertThat(table.log().listCheckpoints()).isNotEmpty().allMatch(c -> c >= keep);
        assertThat(files(new File(root, "t"))).isLessThan(filesBefore);

        // Every retained commit reads as it did, from a fresh handle (no cached state).
        TieredTable fresh =
                TieredTable.open(
                        new FlinkFileIO(),
                        Path.fromLocalFile(new File(root, "t")),
                        "chat",
                        "messages");
        for (long n = keep; n <= latest; n++) {
            TableState state = fresh.stateAt(n);
            for (String user : new String[] {"alice", "bob"}) {
                assertThat(TestWriter.read(fresh, state, user))
                        .as("commit %d, user %s", n, user)
                        .isEqualTo(snapshots.get(n).getOrDefault(user, Map.of()));
            }
        }
        assertThatThrownBy(() -> fresh.stateAt(keep - 1)).isInstanceOf(FileNotFoundException.class);
        assertThat(OrphanCleanup.find(fresh)).as("expiry leaves no unreferenced file").isEmpty();

        // The table goes on: new commits, and a second expiry that has nothing to do.
        w.upsert("alice", 100, "after");
        w.checkpoint();
        w.flush("alice");
        assertThat(TestWriter.read(fresh, fresh.latestState(), "alice"))
                .isEqualTo(w.expected("alice"));
        assertThat(Expiry.expire(table, options.withRetainCommits(1000), clock).commitsRemoved())
                .isZero();
    }

    @Test
    void pinnedCommitAndYoungCommitsAreKept() throws IOException {
        TestWriter w = history(10);
        TieredTable table = w.table;
        long latest = table.log().latestCommit();
        MaintenanceOptions options =
                MaintenanceOptions.defaults().withRetainCommits(1).withRetainTime(Duration.ZERO);
        ReaderPins.pin(table, "scan-1", 13, clock.millis() + 60_000);
        ReaderPins.pin(table, "lapsed", 2, clock.millis() - 1);

        Expiry.Result pinned = Expiry.expire(table, options, clock);

        assertThat(pinned.oldestRetained()).isEqualTo(10);
        assertThat(TestWriter.read(table, table.stateAt(13), "alice"))
                .isEqualTo(snapshots.get(13L).get("alice"));

        ReaderPins.unpin(table, "scan-1");
        // retain-time keeps every commit of the last 12 seconds.
        long firstYoung = latest;
        while (firstYoung > 14
                && table.log().read(firstYoung - 1).timestampMillis() >= clock.millis() - 12_000) {
            firstYoung--;
        }
        Expiry.Result young =
                Expiry.expire(table, options.withRetainTime(Duration.ofSeconds(12)), clock);
        assertThat(young.oldestRetained()).isEqualTo((firstYoung / 10) * 10);
        assertThat(young.oldestRetained()).isGreaterThan(10);
        for (long n = young.oldestRetained(); n <= latest; n++) {
            assertThat(TestWriter.read(table, table.stateAt(n), "bob"))
                    .isEqualTo(snapshots.get(n).get("bob"));
        }
    }
}
