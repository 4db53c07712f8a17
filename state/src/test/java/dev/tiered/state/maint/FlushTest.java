package dev.tiered.state.maint;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredException;
import dev.tiered.state.TieredTable;
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

/** The manual flush (sys.flush_table): committed hot rows become batches, reads stay equal. */
class FlushTest {
    @TempDir File root;

    private final ManualClock clock = new ManualClock(TestWriter.START_MILLIS);

    @Test
    void flushWritesEachScopesHotRowsAndRetiresTheHotSegments() throws IOException {
        TestWriter w = new TestWriter(new FlinkFileIO(), new File(root, "t"), Map.of(), clock);
        for (long k = 0; k < 5; k++) {
            w.upsert("alice", k, "a" + k);
            w.upsert("bob", k, "b" + k);
        }
        w.checkpoint();
        w.flush("bob"); // bob has a batch already; his next changes are hot again
        w.upsert("bob", 1, "b1-new");
        w.delete("alice", 2);
        w.delete("bob", 3);
        w.checkpoint();

        List<Flush.Result> results = Flush.flushTable(w.table, clock);

        assertThat(results).extracting(r -> r.scope().userId()).containsExactly("alice", "bob");
        assertThat(results).allMatch(Flush.Result::flushed);
        assertThat(results.get(0).rows()).as("4 upserts and 1 tombstone of alice").isEqualTo(5);
        assertThat(results.get(1).rows()).as("bob's 2 changes since his flush").isEqualTo(2);
        TableState state = w.table.latestState();
        assertThat(state.hotSegments()).as("every scope of every segment flushed").isEmpty();
        for (String user : List.of("alice", "bob")) {
            assertThat(TestWriter.read(w.table, state, user)).isEqualTo(w.expected(user));
            List<SegmentEntry> batches = w.table.manifest(state, ScopeId.user(user)).segments();
            for (SegmentEntry batch : batches) {
                assertThat(new File(root, "t/chat/messages/" + user + "/" + batch.path())).exists();
            }
        }
    }

    @Test
    void flushWithNothingHotSucceedsAndSaysSo() throws IOException {
        TestWriter w = new TestWriter(new FlinkFileIO(), new File(root, "t"), Map.of(), clock);
        w.upsert("alice", 1, "x");
        w.checkpoint();
        w.flush("alice");
        long before = w.table.latestState().commit();

        assertThat(Flush.flushTable(w.table, clock)).isEmpty();
        Flush.Result scope = Flush.flushScope(w.table, ScopeId.user("alice"), clock);

        assertThat(scope.flushed()).isFalse();
        assertThat(scope.message()).isEqualTo("nothing to flush: no hot rows");
        assertThat(w.table.latestState().commit()).isEqualTo(before);
    }

    @Test
    void aSecondFlushOfTheSameRowsFindsNothing() throws IOException {
        TestWriter w = new TestWriter(new FlinkFileIO(), new File(root, "t"), Map.of(), clock);
        w.upsert("alice", 1, "x");
        w.checkpoint();
        assertThat(Flush.flushTable(w.table, clock)).hasSize(1);
        assertThat(Flush.flushTable(w.table, clock)).isEmpty();
        assertThat(TestWriter.read(w.table, w.table.latestState(), "alice"))
                .isEqualTo(Map.of(1L, "x"));
    }

    @Test
    void aHotSegmentCommittedMeanwhileBelowTheBoundMakesTheFlushRetryAndLoseNothing()
            throws IOException {
        HookedFileIO io = new HookedFileIO(new FlinkFileIO());
        TestWriter w = new TestWriter(io, new File(root, "t"), Map.of(), clock);
        // A writer whose clock runs behind: its segment, committed while the flush is being
        // written, holds changes of alice below the flush's bound.
        TestWriter slow =
                new TestWriter(
                        io,
                        new File(root, "t"),
                        Map.of(),
                        new ManualClock(TestWriter.START_MILLIS - 5_000));
        slow.segmentPrefix = "slow-";
        slow.writerId = "slow";
        w.upsert("alice", 1, "fast");
        w.checkpoint();
        io.beforeNextCommit(
                () -> {
                    slow.upsert("alice", 2, "slow");
                    slow.checkpoint();
                });

        Flush.Result result = Flush.flushScope(w.table, ScopeId.user("alice"), clock);

        assertThat(result.flushed()).isTrue();
        assertThat(result.rows()).as("the retry read both segments").isEqualTo(2);
        TableState state = w.table.latestState();
        assertThat(TestWriter.read(w.table, state, "alice"))
                .isEqualTo(Map.of(1L, "fast", 2L, "slow"));
    }

    @Test
    void streamTablesAreNeverFlushed() throws IOException {
        TableDefinition events =
                TableDefinition.create(
                        "chat",
                        "typing_events",
                        TestTables.columns("event_id BIGINT", "user_id STRING"),
                        List.of("event_id"),
                        Map.of("TYPE", "STREAM", "TTL_SECONDS", "30"),
                        id -> true);
        TieredTable table = TieredTable.create(new FlinkFileIO(), Path.fromLocalFile(root), events);
        assertThatThrownBy(() -> Flush.flushTable(table, clock))
                .isInstanceOf(TieredException.class)
                .hasMessage(
                        "Cannot flush chat.typing_events: it is a STREAM table, which is never"
                                + " flushed to batches");
    }
}
