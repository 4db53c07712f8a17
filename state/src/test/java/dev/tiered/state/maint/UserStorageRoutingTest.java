package dev.tiered.state.maint;

import dev.tiered.state.CommitConflictException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.layout.UserStorages;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code USE_USER_STORAGE}: a user assigned a storage gets the scope directory there (manifests and
 * batches), readers and every maintenance operation follow the table state to it, and erasing the
 * user leaves no byte of theirs in any storage.
 */
class UserStorageRoutingTest {
    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);
    private final TableFileIO io = new FlinkFileIO();
    private File local;
    private File eu;
    private UserStorages storages;
    private TestWriter w;

    @BeforeEach
    void setUp() throws IOException {
        local = new File(root, "local");
        eu = new File(root, "eu");
        String localUri = Path.fromLocalFile(local).toString();
        String euUri = Path.fromLocalFile(eu).toString();
        storages = new UserStorages(localUri, Map.of("local", localUri, "eu", euUri));
        storages.assign(io, "alice", "eu");
        w = new TestWriter(io, local, Map.of("USE_USER_STORAGE", "true"), clock);
        w.table = w.table.withUserStorages(storages);
    }

    private static String uri(File dir) {
        return StorageLayout.normalizeStorage(Path.fromLocalFile(dir).toString());
    }

    private File aliceInEu() {
        return new File(eu, "chat/messages/alice");
    }

    /** alice and bob, several flushes and a few rows still hot. */
    private void history() throws IOException {
        for (int round = 0; round < 4; round++) {
            for (long k = 0; k < 5; k++) {
                w.upsert("alice", k, "alice-" + round + "-" + k);
                w.upsert("bob", k, "bob-" + round + "-" + k);
            }
            w.delete("alice", round);
            w.checkpoint();
            w.flush("alice");
            w.flush("bob");
        }
        w.upsert("alice", 9, "alice-hot");
        w.checkpoint();
    }

    @Test
    void anAssignedUsersScopeLivesInTheirStorageAndReadsNeedNoSettings() throws IOException {
        history();

        assertThat(new File(aliceInEu(), "manifest.json")).exists();
        assertThat(aliceInEu().list((d, n) -> n.endsWith(".parquet"))).hasSize(4);
        assertThat(new File(local, "chat/messages/alice")).doesNotExist();
        assertThat(new File(local, "chat/messages/bob/manifest.json")).exists();
        assertThat(new File(eu, "chat/messages/bob")).doesNotExist();

        // a reader that knows nothing of user storages: the log says where alice lives, also
        // after a log checkpoint (more than 10 commits) folded the scopes
        TieredTable reader = TieredTable.open(io, Path.fromLocalFile(local), "chat", "messages");
        TableState state = reader.latestState();
        assertThat(state.commit()).isGreaterThan(10);
        assertThat(state.scope(ScopeId.user("alice")).storage()).isEqualTo(uri(eu));
        assertThat(state.scope(ScopeId.user("bob")).storage()).isNull();
        assertThat(TestWriter.read(reader, state, "alice")).isEqualTo(w.expected("alice"));
        assertThat(TestWriter.read(reader, state, "bob")).isEqualTo(w.expected("bob"));
        assertThat(StorageCheck.check(io, "local", Path.fromLocalFile(local), true).problems())
                .isEmpty();
    }

    @Test
    void aScopeStaysWhereItWasCreatedWhenTheAssignmentChanges() throws IOException {
        history();
        int batches = aliceInEu().list((d, n) -> n.endsWith(".parquet")).length;
        storages.clear(io, "alice");

        w.upsert("alice", 20, "after the change");
        w.checkpoint();
        w.flush("alice");

        assertThat(aliceInEu().list((d, n) -> n.endsWith(".parquet"))).hasSize(batches + 1);
        assertThat(new File(local, "chat/messages/alice")).doesNotExist();
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"));
    }

    @Test
    void batchesWrittenToAnotherStorageThanTheScopesDoNotCommit() throws IOException {
        history();
        PendingCommit misplaced =
                new PendingCommit("flush", "w", -1)
                        .changeScope(
                                ScopeId.user("alice"),
                                List.of(),
                                List.of(),
                                0,
                                Path.fromLocalFile(local).toString());

        assertThatThrownBy(
                        () ->
                                w.table
                                        .committer(clock)
                                        .commit(misplaced, w.table.definition().schemaVersion()))
                .isInstanceOf(CommitConflictException.class)
                .hasMessageContaining("scope alice")
                .hasMessageContaining("lives in " + uri(eu));
    }

    @Test
    void aStorageTheTableDoesNotKnowFailsTheFlushNamingUserAndStorage() throws IOException {
        String localUri = Path.fromLocalFile(local).toString();
        new UserStorages(localUri, Map.of("local", localUri, "us", "file:///nowhere"))
                .assign(io, "carol", "us");
        w.upsert("carol", 1, "x");
        w.checkpoint();

        assertThatThrownBy(() -> w.flush("carol"))
                .isInstanceOf(TieredException.class)
                .hasMessageContaining("user 'carol' of table chat.messages")
                .hasMessageContaining("assigned storage 'us'");
        assertThatThrownBy(() -> storages.assign(io, "carol", "moon"))
                .hasMessage("Storage 'moon' does not exist");
    }

    @Test
    void compactionExpiryAndOrphanCleanupWorkInTheUsersStorage() throws IOException {
        history();
        File stray = new File(aliceInEu(), "batch-999.parquet");
        assertThat(stray.createNewFile()).isTrue();

        Compaction.compactScope(
                w.table, ScopeId.user("alice"), MaintenanceOptions.defaults(), clock);
        assertThat(aliceInEu().list((d, n) -> n.endsWith(".parquet")))
                .as("four batches + the compacted one + the stray file")
                .hasSize(6);
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"));

        for (int i = 0; i < 12; i++) {
            w.upsert("bob", 100 + i, "more");
            w.checkpoint();
        }
        Expiry.expire(
                w.table,
                MaintenanceOptions.defaults().withRetainCommits(5).withRetainTime(Duration.ZERO),
                clock);
        assertThat(aliceInEu().list((d, n) -> n.endsWith(".parquet")))
                .as("the compacted inputs are deleted in alice's storage")
                .hasSize(2);

        assertThat(OrphanCleanup.find(w.table))
                .extracting(OrphanCleanup.Orphan::path)
                .containsExactly(Path.fromLocalFile(stray).toString());
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(w.expected("alice"));
    }

    @Test
    void erasingAUserDeletesTheirDirectoryInTheirStorage() throws IOException {
        history();

        UserErasure.erase(List.of(w.table), "alice", clock);

        assertThat(aliceInEu()).doesNotExist();
        assertThat(EraseUserTest.filesHolding(root, "alice-")).isEmpty();
        assertThat(TestWriter.read(w.table, w.table.latestState(), "bob"))
                .isEqualTo(w.expected("bob"));
    }
}
