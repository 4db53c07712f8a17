package dev.tiered.sink.internal;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentCompression;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.maint.UserErasure;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.metrics.groups.MetricsGroupTestUtils;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TieredCommitterTest {
    @TempDir File dir;

    /** A commit request that records what the committer signalled. */
    private static final class Request implements Committer.CommitRequest<CommitDelta> {
        final CommitDelta delta;
        final List<String> signals = new ArrayList<>();

        Request(CommitDelta delta) {
            this.delta = delta;
        }

        @Override
        public CommitDelta getCommittable() {
            return delta;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            signals.add("known:" + t.getMessage());
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            signals.add("unknown:" + t.getMessage());
        }

        @Override
        public void retryLater() {
            signals.add("retry");
        }

        @Override
        public void updateAndRetryLater(CommitDelta committable) {
            signals.add("update");
        }

        @Override
        public void signalAlreadyCommitted() {
            signals.add("already");
        }
    }

    private static CommitDelta withWriter(CommitDelta d) {
        return new CommitDelta(
                "job-1/chat.messages", d.checkpointId(), d.hotSegments(), d.flushes());
    }

    @Test
    void commitsInCheckpointOrderAndRecommitIsNoOp() throws Exception {
        TableHandle handle = SinkFixtures.messages(dir);
        TieredCommitter committer =
                new TieredCommitter(
                        handle,
                        SinkConfig.defaults(),
                        MetricsGroupTestUtils.mockCommitterMetricGroup());
        Request second = new Request(withWriter(SinkFixtures.delta(2, "h2", "bob", 2)));
        Request first = new Request(withWriter(SinkFixtures.delta(1, "h1", "alice", 1)));
        committer.commit(List.of(second, first));
        assertThat(first.signals).isEmpty();
        assertThat(second.signals).isEmpty();

        TieredTable table = handle.open();
        TableState state = table.latestState();
        assertThat(state.commit()).isEqualTo(2);
        assertThat(table.log().read(1).checkpointId()).isEqualTo(1);
        assertThat(state.scope(ScopeId.user("bob")).flushedThroughSeq()).isEqualTo(29);

        // After a failover Flink replays the committables of checkpoints it did not see complete.
        TieredCommitter restored =
                new TieredCommitter(
                        handle,
                        SinkConfig.defaults(),
                        MetricsGroupTestUtils.mockCommitterMetricGroup());
        Request replay = new Request(withWriter(SinkFixtures.delta(2, "h2", "bob", 2)));
        restored.commit(List.of(replay));
        assertThat(replay.signals).containsExactly("already");
        assertThat(table.latestState().commit()).isEqualTo(2);
    }

    /** A hot segment of one row per user, as a writer's checkpoint would leave it. */
    private static HotSegmentRef hotSegment(
            TieredTable table, String name, SnowflakeIds ids, String... users) throws IOException {
        Path path = new Path(table.layout().hotDir(), name);
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(path, table.definition(), HotSegmentCompression.DEFAULT)) {
            for (String user : users) {
                long id = ids.nextId();
                writer.write(
                        ScopeId.user(user),
                        id,
                        ChangeOp.UPSERT,
                        GenericRowData.of(
                                id,
                                StringData.fromString(user),
                                1L,
                                StringData.fromString(user + " in " + name),
                                null));
            }
            return Segments.ref(writer.finish(), "w", -1);
        }
    }

    @Test
    void scopesErasedAfterTheWritersPreparedTheDeltaAreLeftOut() throws Exception {
        TableHandle handle = SinkFixtures.messages(dir);
        TieredTable table = handle.open();
        SnowflakeIds ids = new SnowflakeIds(1, Clock.systemUTC());
        TieredCommitter committer =
                new TieredCommitter(
                        handle,
                        SinkConfig.defaults(),
                        MetricsGroupTestUtils.mockCommitterMetricGroup());
        String writer = "job-1/chat.messages";
        committer.commit(
                List.of(
                        new Request(
                                new CommitDelta(
                                        writer,
                                        1,
                                        List.of(hotSegment(table, "w-1.avro", ids, "alice", "bob")),
                                        List.of(),
                                        0))));
        long basis = table.latestState().commit();
        // The writers prepare checkpoint 2 seeing commit `basis`; alice is erased before it
        // commits.
        HotSegmentRef second = hotSegment(table, "w-2.avro", ids, "alice", "bob");
        UserErasure.erase(List.of(handle.open()), "alice", Clock.systemUTC());

        Request request =
                new Request(new CommitDelta(writer, 2, List.of(second), List.of(), basis));
        committer.commit(List.of(request));

        assertThat(request.signals).isEmpty();
        TieredTable fresh = handle.open();
        TableState state = fresh.latestState();
        assertThat(state.isCommitted(writer, 2)).isTrue();
        assertThat(state.liveScopeIds()).containsExactly(ScopeId.user("bob"));
        assertThat(state.hotSegments())
                .allSatisfy(h -> assertThat(h.scopes()).containsExactly(ScopeId.user("bob")))
                .hasSize(2);
    }
}
