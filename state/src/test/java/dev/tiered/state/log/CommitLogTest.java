package dev.tiered.state.log;

import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.commit.TableCommitter;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static dev.tiered.state.testing.TableFixtures.batch;
import static dev.tiered.state.testing.TableFixtures.hot;
import static dev.tiered.state.testing.TableFixtures.messages;
import static org.assertj.core.api.Assertions.assertThat;

class CommitLogTest {
    @TempDir File dir;

    private List<TableState> commit25(TieredTable table) throws Exception {
        ManualClock clock = new ManualClock(1_000);
        TableCommitter committer = table.committer(clock);
        List<TableState> states = new ArrayList<>();
        for (int c = 1; c <= 25; c++) {
            ScopeId scope = ScopeId.user("u" + (c % 3));
            PendingCommit pending =
                    new PendingCommit("flush", "w", c)
                            .addHotSegment(hot("h" + c, c * 10, c * 10 + 5, scope))
                            .changeScope(
                                    scope,
                                    List.of(batch(c, c * 10, c * 10 + 5)),
                                    List.of(),
                                    c * 10 + 5);
            states.add(committer.commit(pending, 1).state());
            clock.advance(1);
        }
        return states;
    }

    @Test
    void everyStateAtNEqualsTheFoldOfCommitsUpToN() throws Exception {
        List<TableState> states = commit25(messages(new FlinkFileIO(), dir));
        TieredTable fresh =
                TieredTable.open(new FlinkFileIO(), Path.fromLocalFile(dir), "chat", "messages");
        for (TableState expected : states) {
            assertThat(fresh.stateAt(expected.commit())).isEqualTo(expected);
        }
        assertThat(fresh.latestState()).isEqualTo(states.get(24));
    }

    @Test
    void writesALogCheckpointEveryTenCommits() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        commit25(table);
        List<String> names = table.io().list(table.layout().logDir());
        assertThat(names)
                .contains(
                        "00000000000000000010.checkpoint.json",
                        "00000000000000000020.checkpoint.json")
                .doesNotContain("00000000000000000025.checkpoint.json");
    }

    /**
     * Loading the latest state reads the checkpoint and fewer than 10 commits: older ones may be
     * gone.
     */
    @Test
    void loadingTheLatestStateNeedsOnlyTheNewestCheckpointAndTheCommitsAfterIt() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        List<TableState> states = commit25(table);
        for (long c = 1; c <= 20; c++) {
            table.io().delete(table.log().commitFile(c));
        }
        table.io().delete(table.log().checkpointFile(10));
        TieredTable fresh =
                TieredTable.open(new FlinkFileIO(), Path.fromLocalFile(dir), "chat", "messages");
        assertThat(fresh.latestState()).isEqualTo(states.get(24));
    }

    @Test
    void findsTheLatestCommitWithoutTheHint() throws Exception {
        TieredTable table = messages(new FlinkFileIO(), dir);
        commit25(table);
        table.io().delete(new Path(table.layout().logDir(), "_latest"));
        TieredTable fresh =
                TieredTable.open(new FlinkFileIO(), Path.fromLocalFile(dir), "chat", "messages");
        assertThat(fresh.log().latestCommit()).isEqualTo(25);
        // A stale hint is only a starting point.
        fresh.io().overwrite(new Path(table.layout().logDir(), "_latest"), "3".getBytes());
        TieredTable other =
                TieredTable.open(new FlinkFileIO(), Path.fromLocalFile(dir), "chat", "messages");
        assertThat(other.log().latestCommit()).isEqualTo(25);
    }
}
