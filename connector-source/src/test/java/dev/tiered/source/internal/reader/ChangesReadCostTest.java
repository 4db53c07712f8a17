package dev.tiered.source.internal.reader;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.enumerator.SplitPlanner;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.source.testing.EngineWriter;
import dev.tiered.source.testing.Messages;
import dev.tiered.source.testing.ReadConfigs;
import dev.tiered.source.testing.TrackingFileSystem;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.tiered.source.testing.EngineWriter.delete;
import static dev.tiered.source.testing.EngineWriter.upsert;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost of a streaming read of a USER table whose commits change many users: every commit's hot
 * segment holds the changes of all of them, and older hot segments stay live (no flush). Reading a
 * commit's changes splits, one per user, must open each hot segment about once, not once per user.
 * {@code -Dchanges.users=1000 -Dchanges.commits=60} makes it a profiling harness.
 */
class ChangesReadCostTest {
    private static final long T0 = 1_763_600_000_000L;
    private static final int USERS = Integer.getInteger("changes.users", 50);
    private static final int COMMITS = Integer.getInteger("changes.commits", 6);
    private static final int ROWS_PER_USER = 2;

    @TempDir File warehouse;
    private final ManualClock clock = new ManualClock(T0);

    @BeforeAll
    static void initFileSystems() throws IOException {
        FileSystem.initialize(new Configuration(), null);
    }

    @Test
    void eachHotSegmentIsReadOncePerReaderNotOncePerUser() throws Exception {
        TieredTable table =
                TieredTable.create(
                        new FlinkFileIO(),
                        new Path(TrackingFileSystem.uriOf(warehouse)),
                        Messages.definition("interval:3600"));
        EngineWriter writer = new EngineWriter(table, clock);
        long id = 0;
        for (int c = 0; c < COMMITS; c++) {
            List<EngineWriter.Change> changes = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                for (int r = 0; r < ROWS_PER_USER; r++) {
                    changes.add(upsert(user(u), row(RowKind.INSERT, id++, u, "c" + c)));
                }
            }
            writer.commit(changes.toArray(new EngineWriter.Change[0]));
            clock.advance(1_000);
        }
        // The last commit: every user updates its first key, deletes its second one and a key
        // that never existed, and inserts a new one.
        List<EngineWriter.Change> last = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            long first = (long) u * ROWS_PER_USER;
            last.add(upsert(user(u), row(RowKind.INSERT, first, u, "updated")));
            last.add(delete(user(u), row(RowKind.DELETE, first + 1, u, null)));
            last.add(delete(user(u), row(RowKind.DELETE, 1_000_000 + u, u, null)));
            last.add(upsert(user(u), row(RowKind.INSERT, id++, u, "new")));
        }
        long lastCommit = writer.commit(last.toArray(new EngineWriter.Change[0]));

        ReadConfig config = config(table);
        SplitPlanner planner = new SplitPlanner(table, config);
        SplitCursors cursors = new SplitCursors(table, config);
        List<TieredSplit> splits = planner.discover(0).splits();
        assertThat(splits).hasSize((COMMITS + 1) * USERS);

        TrackingFileSystem.reset();
        long started = System.nanoTime();
        Map<String, List<String>> lastByUser = new HashMap<>();
        int rows = 0;
        for (TieredSplit split : splits) {
            try (SplitCursor cursor = cursors.open(split, clock.millis())) {
                while (cursor.next()) {
                    rows++;
                    if (split.commit() == lastCommit) {
                        RowData row = cursor.row();
                        lastByUser
                                .computeIfAbsent(split.userId(), u -> new ArrayList<>())
                                .add(row.getRowKind().shortString() + " " + row.getLong(0));
                    }
                }
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf(
                "changes read: %d users, %d commits, %d rows, %d files opened, %d ms%n",
                USERS, COMMITS + 1, rows, hotSegmentsOpened().size(), millis);

        List<String> opened = hotSegmentsOpened();
        Set<String> distinct = new HashSet<>(opened);
        assertThat(distinct).hasSize(COMMITS + 1);
        // Before, every split read its commit's segment twice and its existence probe every live
        // segment of the user; the last commit's probes (updates and deletes of keys in the first
        // segment) now answer from the reader's key index.
        assertThat(opened)
                .as("each hot segment is read once by the reader, not once per user")
                .hasSize(distinct.size());
        assertThat(lastByUser).hasSize(USERS);
        for (int u = 0; u < USERS; u++) {
            long first = (long) u * ROWS_PER_USER;
            assertThat(lastByUser.get("user" + u))
                    .as("user%d", u)
                    .containsExactly(
                            "+U " + first,
                            "-D " + (first + 1),
                            "+I " + ((long) COMMITS * USERS * ROWS_PER_USER + u));
        }
    }

    private static List<String> hotSegmentsOpened() {
        List<String> hot = new ArrayList<>();
        for (String file : TrackingFileSystem.opened()) {
            if (file.contains("/_hot/")) {
                hot.add(file);
            }
        }
        return hot;
    }

    private static ScopeId user(int u) {
        return ScopeId.user("user" + u);
    }

    private static RowData row(RowKind kind, long id, int user, String content) {
        RowData row = Messages.row(kind, id, content);
        org.apache.flink.table.data.GenericRowData generic =
                (org.apache.flink.table.data.GenericRowData) row;
        generic.setField(1, org.apache.flink.table.data.StringData.fromString("user" + user));
        return generic;
    }

    private static ReadConfig config(TieredTable table) {
        return ReadConfigs.of(
                table.definition(),
                Boundedness.CONTINUOUS_UNBOUNDED,
                ScanMode.LATEST,
                "id",
                "content");
    }
}
