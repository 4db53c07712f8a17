package dev.tiered.state.commit;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.testing.ManualClock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.tiered.state.testing.TableFixtures.batch;
import static dev.tiered.state.testing.TableFixtures.hot;
import static dev.tiered.state.testing.TableFixtures.messages;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every change is in exactly one commit's changed segments, also when the commit that adds a hot
 * segment flushes past it at once (a bounded job's last checkpoint): the segment is not live, but
 * the commit lists it as {@code hot_flushed} for change readers.
 */
class ChangedSegmentsTest {
    private static final ScopeId ALICE = ScopeId.user("alice");

    @TempDir File dir;
    private final ManualClock clock = new ManualClock(1_763_600_000_000L);

    @Test
    void aSegmentFlushedByItsOwnCommitIsListedAsFlushedNotLive() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        TableCommitter committer = table.committer(clock);
        committer.commit(
                new PendingCommit("append", "w", 1).addHotSegment(hot("h1", 1, 5, ALICE)), 1);
        HotSegmentRef h2 = hot("h2", 6, 10, ALICE);
        committer.commit(
                new PendingCommit("flush", "w", 2)
                        .addHotSegment(h2)
                        .changeScope(ALICE, List.of(batch(1, 1, 10)), List.of(), 10),
                1);

        assertThat(table.latestState().hotSegments()).isEmpty();
        CommitRecord first = table.log().read(1);
        CommitRecord second = table.log().read(2);
        assertThat(first.changedSegments()).extracting(HotSegmentRef::path).containsExactly("h1");
        assertThat(second.hotAdded()).isEmpty();
        assertThat(second.hotRetired()).containsExactly("h1");
        assertThat(second.hotFlushed()).containsExactly(h2);
        assertThat(second.changedSegments()).containsExactly(h2);
        assertThat(new String(table.io().read(table.log().commitFile(2)), StandardCharsets.UTF_8))
                .contains("\"hot_flushed\":[{\"path\":\"h2\"");
        assertThat(new String(table.io().read(table.log().commitFile(1)), StandardCharsets.UTF_8))
                .as("written only when there is one")
                .doesNotContain("hot_flushed");
    }
}
