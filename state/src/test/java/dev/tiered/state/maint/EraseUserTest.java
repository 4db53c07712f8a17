package dev.tiered.state.maint;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentCompression;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 7: after {@code erase_user} no file of the warehouse holds a byte of the user — not the
 * current batches, not the hot segments, not old manifest versions, commit records or log
 * checkpoints — while every other user reads as before, at every retained commit.
 */
class EraseUserTest {
    static final String USER = "gdpr-u7";
    static final String SECRET = "SECRET-u7";

    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);

    /** Every file under {@code dir} whose name or bytes hold {@code needle}. */
    static List<String> filesHolding(File dir, String needle) throws IOException {
        byte[] pattern = needle.getBytes(StandardCharsets.UTF_8);
        List<String> hits = new ArrayList<>();
        File[] children = dir.listFiles();
        for (File child : children == null ? new File[0] : children) {
            if (child.getName().contains(needle)) {
                hits.add(child.getPath());
            } else if (child.isDirectory()) {
                hits.addAll(filesHolding(child, needle));
            } else if (indexOf(Files.readAllBytes(child.toPath()), pattern) >= 0) {
                hits.add(child.getPath());
            }
        }
        return hits;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A history of both users: hot segments, flushes, compactions; some rows still hot. */
    static void history(TestWriter w, Map<Long, Map<Long, String>> bobAt) throws IOException {
        for (int round = 0; round < 6; round++) {
            for (long k = 0; k < 5; k++) {
                w.upsert(USER, k, SECRET + "-" + round + "-" + k);
                w.upsert("bob", k, "bob-" + round + "-" + k);
            }
            w.delete(USER, round % 5);
            w.checkpoint();
            bobAt.put(w.table.latestState().commit(), new TreeMap<>(w.expected("bob")));
            w.flush(USER);
            bobAt.put(w.table.latestState().commit(), new TreeMap<>(w.expected("bob")));
            if (round % 2 == 0) {
                w.flush("bob");
                bobAt.put(w.table.latestState().commit(), new TreeMap<>(w.expected("bob")));
            }
            if (round == 3) {
                Compaction.compactScope(
                        w.table, ScopeId.user(USER), MaintenanceOptions.defaults(), w.clock);
                bobAt.put(w.table.latestState().commit(), new TreeMap<>(w.expected("bob")));
            }
        }
        w.upsert(USER, 42, SECRET + "-still-hot");
        w.upsert("bob", 42, "bob-still-hot");
        w.checkpoint();
        bobAt.put(w.table.latestState().commit(), new TreeMap<>(w.expected("bob")));
    }

    @Test
    void afterEraseNoFileHoldsAByteOfTheUser() throws IOException {
        File warehouse = new File(root, "warehouse");
        TestWriter messages =
                new TestWriter(new FlinkFileIO(), warehouse, "messages", Map.of(), clock);
        TestWriter drafts = new TestWriter(new FlinkFileIO(), warehouse, "drafts", Map.of(), clock);
        Map<Long, Map<Long, String>> bobAt = new HashMap<>();
        history(messages, bobAt);
        drafts.upsert("bob", 1, "only bob here");
        drafts.checkpoint();
        drafts.flush("bob");
        assertThat(messages.table.log().listCheckpoints())
                .as("a log checkpoint holds the user")
                .isNotEmpty();
        // A writer's checkpoint that failed before its commit left a hot segment of both users.
        Path failed = new Path(messages.table.layout().hotDir(), "w-failed.avro");
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(
                        failed, messages.table.definition(), HotSegmentCompression.NONE)) {
            writer.write(
                    ScopeId.user(USER),
                    messages.ids.nextId(),
                    ChangeOp.UPSERT,
                    TestWriter.row(77, USER, SECRET + "-failed"));
            writer.write(
                    ScopeId.user("bob"),
                    messages.ids.nextId(),
                    ChangeOp.UPSERT,
                    TestWriter.row(77, "bob", "bob-failed"));
            writer.finish();
        }
        // Dead letters of sink.bad-rows = dead-letter, as the sink writes them.
        File rejected = new File(warehouse, "chat/messages/_rejected/w-0.jsonl");
        assertThat(rejected.getParentFile().mkdirs()).isTrue();
        String bobLine =
                "{\"table\":\"chat.messages\",\"column\":\"created_at\",\"reason\":\"bad\","
                        + "\"row\":{\"id\":\"5\",\"user_id\":\"bob\",\"content\":\"x\"}}";
        Files.write(
                rejected.toPath(),
                ("{\"table\":\"chat.messages\",\"column\":\"created_at\",\"reason\":\"bad\","
                                + "\"row\":{\"id\":\"6\",\"user_id\":\""
                                + USER
                                + "\",\"content\":\""
                                + SECRET
                                + "-rejected\"}}\n"
                                + bobLine
                                + "\n")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(filesHolding(warehouse, SECRET))
                .as("the scan finds the user before")
                .isNotEmpty();
        assertThat(filesHolding(warehouse, USER)).isNotEmpty();

        List<TieredTable> tables =
                Warehouse.tables(new FlinkFileIO(), Path.fromLocalFile(warehouse));
        assertThat(tables).hasSize(2);
        UserErasure.Result result = UserErasure.erase(tables, USER, clock);

        assertThat(result.tables()).hasSize(2);
        UserErasure.TableResult erased =
                result.tables().stream()
                        .filter(t -> t.tableId().equals("chat.messages"))
                        .findFirst()
                        .orElseThrow();
        assertThat(erased.commit()).isPositive();
        assertThat(erased.hotSegmentsRewritten()).isPositive();
        assertThat(erased.filesScrubbed()).isPositive();
        assertThat(filesHolding(warehouse, SECRET)).isEmpty();
        assertThat(filesHolding(warehouse, USER)).isEmpty();
        assertThat(Files.readAllLines(rejected.toPath())).containsExactly(bobLine);
        assertThat(EraseUserTest.filesHolding(warehouse, "bob-failed"))
                .as("the failed checkpoint's other rows are kept")
                .containsExactly(new File(failed.getPath()).getPath());

        // Everyone else reads as before, now and at every retained commit, from a fresh handle.
        TieredTable fresh =
                TieredTable.open(
                        new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages");
        TableState latest = fresh.latestState();
        assertThat(TestWriter.read(fresh, latest, "bob")).isEqualTo(messages.expected("bob"));
        assertThat(TestWriter.read(fresh, latest, USER)).isEmpty();
        for (Map.Entry<Long, Map<Long, String>> at : bobAt.entrySet()) {
            TableState state = fresh.stateAt(at.getKey());
            assertThat(TestWriter.read(fresh, state, "bob"))
                    .as("bob at commit %d", at.getKey())
                    .isEqualTo(at.getValue());
            assertThat(state.scopes()).doesNotContainKey(ScopeId.user(USER));
            assertThat(TestWriter.read(fresh, state, USER)).isEmpty();
        }
        StorageCheck.Report report =
                StorageCheck.check(new FlinkFileIO(), "local", Path.fromLocalFile(warehouse), true);
        assertThat(report.problems()).isEmpty();
        assertThat(report.status()).isEqualTo(StorageCheck.Status.HEALTHY);

        // The writer's handle cached a state from before the erase; it goes on writing, the user
        // comes back with new rows, and the log still folds for everyone.
        messages.model.remove(USER);
        messages.upsert("bob", 7, "bob after the erase");
        messages.upsert(USER, 1, "new after the erase");
        messages.checkpoint();
        messages.flush(USER);
        messages.flush("bob");
        TieredTable another =
                TieredTable.open(
                        new FlinkFileIO(), Path.fromLocalFile(warehouse), "chat", "messages");
        for (String user : List.of("bob", USER)) {
            assertThat(TestWriter.read(another, another.latestState(), user))
                    .isEqualTo(messages.expected(user));
        }
        assertThat(filesHolding(warehouse, SECRET)).isEmpty();
    }

    @Test
    void erasingAUserNoTableHasDoesNothing() throws IOException {
        File warehouse = new File(root, "warehouse");
        TestWriter messages =
                new TestWriter(new FlinkFileIO(), warehouse, "messages", Map.of(), clock);
        messages.upsert("bob", 1, "b");
        messages.checkpoint();
        long before = messages.table.latestState().commit();

        UserErasure.Result result =
                UserErasure.erase(
                        Warehouse.tables(new FlinkFileIO(), Path.fromLocalFile(warehouse)),
                        "nobody",
                        clock);

        assertThat(result.tables())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.commit()).isEqualTo(-1);
                            assertThat(t.filesScrubbed()).isZero();
                        });
        assertThat(messages.table.log().latestCommit()).isEqualTo(before);
    }
}
