package dev.tiered.sink.internal;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.meta.TableState;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.runtime.metrics.groups.MetricsGroupTestUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
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
                new TieredCommitter(handle, MetricsGroupTestUtils.mockCommitterMetricGroup());
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
                new TieredCommitter(handle, MetricsGroupTestUtils.mockCommitterMetricGroup());
        Request replay = new Request(withWriter(SinkFixtures.delta(2, "h2", "bob", 2)));
        restored.commit(List.of(replay));
        assertThat(replay.signals).containsExactly("already");
        assertThat(table.latestState().commit()).isEqualTo(2);
    }
}
