package dev.tiered.sink.internal;

import dev.tiered.state.meta.CommitDelta;

import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pre-commit topology's one operator (parallelism 1): merges every writer's delta of a
 * checkpoint into one committable, so that one committer makes one commit per checkpoint. It emits,
 * before the barrier of checkpoint n, one summary and one committable for every buffered checkpoint
 * up to n; at end of input, whatever is left. Stateless: everything received before barrier n is
 * emitted before barrier n, so it sits in the committer's state for checkpoint n.
 *
 * <p>Why not the post-commit global committer: in Flink 2.2/2.3 it drops the final checkpoint's
 * committables of bounded jobs (FLINK-38614).
 */
@Internal
public final class CommitAggregator extends AbstractStreamOperator<CommittableMessage<CommitDelta>>
        implements OneInputStreamOperator<
                CommittableMessage<CommitDelta>, CommittableMessage<CommitDelta>> {
    private static final long serialVersionUID = 1L;

    private final String sinkName;
    private transient Map<Long, List<CommitDelta>> pending;
    private transient String writerId;

    /**
     * @param sinkName part of the commit identity: the job id plus this name
     */
    public CommitAggregator(String sinkName) {
        this.sinkName = sinkName;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new TreeMap<>();
        writerId = getRuntimeContext().getJobInfo().getJobId() + "/" + sinkName;
    }

    @Override
    public void processElement(StreamRecord<CommittableMessage<CommitDelta>> element) {
        if (element.getValue() instanceof CommittableWithLineage<CommitDelta> lineage) {
            pending.computeIfAbsent(lineage.getCheckpointId(), id -> new ArrayList<>())
                    .add(lineage.getCommittable());
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitUpTo(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        emitUpTo(Long.MAX_VALUE);
        super.finish();
    }

    private void emitUpTo(long checkpointId) {
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, List<CommitDelta>> entry = it.next();
            if (entry.getKey() > checkpointId) {
                break;
            }
            it.remove();
            CommitDelta merged = CommitDelta.merge(writerId, entry.getKey(), entry.getValue());
            if (merged.isEmpty()) {
                continue;
            }
            output.collect(
                    new StreamRecord<>(new CommittableSummary<>(0, 1, entry.getKey(), 1, 0)));
            output.collect(
                    new StreamRecord<>(new CommittableWithLineage<>(merged, entry.getKey(), 0)));
        }
    }
}
