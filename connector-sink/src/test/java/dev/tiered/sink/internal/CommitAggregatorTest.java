package dev.tiered.sink.internal;

import dev.tiered.state.meta.CommitDelta;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CommitAggregatorTest {
    @TempDir File dir;

    private OneInputStreamOperatorTestHarness<
                    CommittableMessage<CommitDelta>, CommittableMessage<CommitDelta>>
            harness() throws Exception {
        TableHandle handle = SinkFixtures.messages(dir);
        var harness =
                new OneInputStreamOperatorTestHarness<>(
                        new CommitAggregator("chat.messages"),
                        CommittableMessageTypeInfo.of(() -> new CommitDeltaSerializer(handle))
                                .createSerializer(new SerializerConfigImpl()));
        harness.open();
        return harness;
    }

    private static void send(
            OneInputStreamOperatorTestHarness<CommittableMessage<CommitDelta>, ?> harness,
            int subtask,
            long checkpoint,
            CommitDelta delta)
            throws Exception {
        harness.processElement(
                new StreamRecord<>(new CommittableSummary<>(subtask, 2, checkpoint, 1, 0)));
        harness.processElement(
                new StreamRecord<>(new CommittableWithLineage<>(delta, checkpoint, subtask)));
    }

    private static List<CommittableMessage<CommitDelta>> drain(
            OneInputStreamOperatorTestHarness<?, CommittableMessage<CommitDelta>> harness) {
        List<CommittableMessage<CommitDelta>> out = new ArrayList<>(harness.extractOutputValues());
        harness.getOutput().clear();
        return out;
    }

    @Test
    void emitsOneSummaryAndOneMergedCommittablePerCheckpointBeforeTheBarrier() throws Exception {
        try (var harness = harness()) {
            send(harness, 0, 1, SinkFixtures.delta(1, "h-0-1", "alice", 1));
            send(harness, 1, 1, SinkFixtures.delta(1, "h-1-1", "bob", 2));
            send(harness, 0, 2, SinkFixtures.delta(2, "h-0-2", "alice", 3));
            assertThat(drain(harness)).isEmpty();

            harness.prepareSnapshotPreBarrier(1);
            List<CommittableMessage<CommitDelta>> out = drain(harness);
            assertThat(out).hasSize(2);
            CommittableSummary<CommitDelta> summary = (CommittableSummary<CommitDelta>) out.get(0);
            assertThat(summary.getSubtaskId()).isZero();
            assertThat(summary.getNumberOfSubtasks()).isEqualTo(1);
            assertThat(summary.getCheckpointId()).isEqualTo(1);
            assertThat(summary.getNumberOfCommittables()).isEqualTo(1);
            CommitDelta merged =
                    ((CommittableWithLineage<CommitDelta>) out.get(1)).getCommittable();
            assertThat(merged.checkpointId()).isEqualTo(1);
            assertThat(merged.writerId()).endsWith("/chat.messages");
            assertThat(merged.hotSegments())
                    .extracting(h -> h.path())
                    .containsExactly("h-0-1", "h-1-1");
            assertThat(merged.flushes()).hasSize(2);

            harness.endInput();
            harness.getOneInputOperator().finish();
            List<CommittableMessage<CommitDelta>> rest = drain(harness);
            assertThat(rest).hasSize(2);
            assertThat(
                            ((CommittableWithLineage<CommitDelta>) rest.get(1))
                                    .getCommittable()
                                    .checkpointId())
                    .isEqualTo(2);
        }
    }

    @Test
    void emptyCheckpointsProduceNoCommit() throws Exception {
        try (var harness = harness()) {
            send(harness, 0, 5, new CommitDelta("", 5, List.of(), List.of()));
            harness.prepareSnapshotPreBarrier(5);
            assertThat(drain(harness)).isEmpty();
        }
    }
}
