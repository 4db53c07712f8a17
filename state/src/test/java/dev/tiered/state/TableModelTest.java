package dev.tiered.state;

import dev.tiered.state.cold.BatchFile;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.HotSegmentCompression;
import dev.tiered.state.cold.HotSegmentFile;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.merge.HotRows;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.MergeCursor;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.ManualClock;
import dev.tiered.state.testing.TableFixtures;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table format against a plain map, with real files (issue 3, invariants 4 and 5): random
 * checkpoints of upserts and deletes committed as hot segments, flushes of a user's hot rows into a
 * batch, partial and full compactions — after every commit each user's merged read equals the
 * model, and at the end a reader pinned to any earlier commit still sees exactly that commit.
 */
class TableModelTest {
    private static final List<String> USERS = List.of("alice", "bob smith");

    @TempDir File root;

    private final class History {
        final TieredTable table;
        final ManualClock clock = new ManualClock(1_763_600_000_000L);
        final SnowflakeIds ids = new SnowflakeIds(1, clock);
        final Map<String, Map<Long, String>> model = new HashMap<>();
        final Map<Long, Map<String, Map<Long, String>>> snapshots = new TreeMap<>();
        final Comparator<RowData> keys;
        int files;

        History(File dir) throws IOException {
            table = TableFixtures.messages(new FlinkFileIO(), dir);
            keys = KeyComparators.forField(table.definition().rowType().getTypeAt(0), 0);
            USERS.forEach(u -> model.put(u, new TreeMap<>()));
        }

        void checkpoint(Random random, int keyCount) throws IOException {
            Path path = new Path(table.layout().hotDir(), "seg-" + files++ + ".avro");
            HotSegmentFile file;
            try (HotSegmentWriter writer =
                    HotSegmentWriter.create(path, table.definition(), HotSegmentCompression.NONE)) {
                int changes = 1 + random.nextInt(6);
                for (int i = 0; i < changes; i++) {
                    String user = USERS.get(random.nextInt(USERS.size()));
                    long key = random.nextInt(keyCount);
                    clock.advance(random.nextInt(3));
                    if (random.nextInt(4) == 0) {
                        writer.write(
                                ScopeId.user(user),
                                ids.nextId(),
                                ChangeOp.DELETE,
                                row(key, user, null));
                        model.get(user).remove(key);
                    } else {
                        String content = "c" + ids.nextId();
                        writer.write(
                                ScopeId.user(user),
                                ids.nextId(),
                                ChangeOp.UPSERT,
                                row(key, user, content));
                        model.get(user).put(key, content);
                    }
                }
                file = writer.finish();
            }
            HotSegmentRef ref = Segments.ref(file, "w", -1);
            commit(new PendingCommit("append", "w", -1).addHotSegment(ref));
        }

        void flush(String user) throws IOException {
            ScopeId scope = ScopeId.user(user);
            TableState state = table.latestState();
            HotRows hot = new HotRows(scope, table.definition().rowType(), keys);
            for (HotSegmentRef segment : state.hotSegments()) {
                Path path = new Path(table.layout().hotDir(), segment.path());
                try (var reader =
                        dev.tiered.state.cold.HotSegmentReader.open(
                                path.getFileSystem(), path, table.definition(), scope::equals)) {
                    hot.addAll(
                            reader,
                            ScopeReader.liveHotSeq(
                                    table.definition(), state.scope(scope).flushedThroughSeq(), 0));
                }
            }
            if (hot.size() == 0) {
                return;
            }
            SegmentEntry entry = writeBatch(scope, hot.cursor());
            long flushedThrough = ids.nextId();
            commit(
                    new PendingCommit("flush", "w", -1)
                            .changeScope(scope, List.of(entry), List.of(), flushedThrough));
        }

        void compact(String user, Random random) throws IOException {
            ScopeId scope = ScopeId.user(user);
            ScopeManifest manifest = table.manifest(table.latestState(), scope);
            List<SegmentEntry> segments = manifest.segments();
            if (segments.isEmpty()) {
                return;
            }
            int count = 1 + random.nextInt(segments.size());
            List<SegmentEntry> chosen = segments.subList(segments.size() - count, segments.size());
            boolean full = count == segments.size();
            List<ChangeCursor> inputs = new ArrayList<>();
            for (SegmentEntry segment : chosen) {
                inputs.add(
                        BatchReader.open(
                                new Path(table.scopeDir(scope), segment.path()),
                                table.definition(),
                                scope,
                                BatchReadSpec.all()));
            }
            List<String> removed = chosen.stream().map(SegmentEntry::id).toList();
            try (MergeCursor merged = new MergeCursor(inputs, keys, !full)) {
                SegmentEntry entry = writeBatchIfAny(scope, merged);
                commit(
                        new PendingCommit("compact", "c", -1)
                                .changeScope(
                                        scope,
                                        entry == null ? List.of() : List.of(entry),
                                        removed,
                                        0));
            }
        }

        SegmentEntry writeBatch(ScopeId scope, ChangeCursor rows) throws IOException {
            SegmentEntry entry = writeBatchIfAny(scope, rows);
            assertThat(entry).isNotNull();
            return entry;
        }

        SegmentEntry writeBatchIfAny(ScopeId scope, ChangeCursor rows) throws IOException {
            Path path = new Path(table.scopeDir(scope), "batch-" + files++ + ".parquet");
            BatchFile file;
            try (BatchWriter writer =
                    BatchWriter.create(
                            path, table.definition(), scope, BatchWriter.Options.defaults())) {
                while (rows.next()) {
                    writer.write(rows.row(), rows.seq(), rows.op());
                }
                if (writer.rowCount() == 0) {
                    return null;
                }
                file = writer.finish();
            }
            return Segments.entry(file, table.definition(), clock.millis());
        }

        void commit(PendingCommit pending) throws IOException {
            TableState state = table.committer(clock).commit(pending, 1).state();
            Map<String, Map<Long, String>> copy = new HashMap<>();
            model.forEach((u, m) -> copy.put(u, new TreeMap<>(m)));
            snapshots.put(state.commit(), copy);
        }

        Map<Long, String> read(TableState state, String user) throws IOException {
            Map<Long, String> result = new TreeMap<>();
            try (ChangeCursor cursor =
                    ScopeReader.open(
                            table,
                            state,
                            ScopeId.user(user),
                            BatchReadSpec.all(),
                            clock.millis(),
                            false)) {
                while (cursor.next()) {
                    assertThat(cursor.row().getString(1).toString()).isEqualTo(user);
                    result.put(cursor.row().getLong(0), cursor.row().getString(3).toString());
                }
            }
            return result;
        }
    }

    private static RowData row(long key, String user, String content) {
        return GenericRowData.of(
                key,
                StringData.fromString(user),
                7L,
                content == null ? null : StringData.fromString(content),
                TimestampData.fromEpochMillis(1_000));
    }

    @Test
    void randomHistoriesOfCommitsReadAsTheModel() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int h = 0; h < 60; h++) {
            History history = new History(new File(root, "h" + h));
            int keyCount = 1 + random.nextInt(12);
            int steps = 5 + random.nextInt(25);
            for (int step = 0; step < steps; step++) {
                String user = USERS.get(random.nextInt(USERS.size()));
                int action = random.nextInt(10);
                if (action < 5) {
                    history.checkpoint(random, keyCount);
                } else if (action < 8) {
                    history.flush(user);
                } else {
                    history.compact(user, random);
                }
                TableState state = history.table.latestState();
                for (String u : USERS) {
                    assertThat(history.read(state, u))
                            .as("seed %d, history %d, step %d, user %s", seed, h, step, u)
                            .isEqualTo(history.model.get(u));
                }
            }
            // Snapshot isolation: a reader pinned to any earlier commit sees exactly that commit.
            TieredTable fresh =
                    TieredTable.open(
                            new FlinkFileIO(),
                            Path.fromLocalFile(new File(root, "h" + h)),
                            "chat",
                            "messages");
            for (Map.Entry<Long, Map<String, Map<Long, String>>> snapshot :
                    history.snapshots.entrySet()) {
                TableState pinned = fresh.stateAt(snapshot.getKey());
                for (String u : USERS) {
                    assertThat(history.read(pinned, u))
                            .as(
                                    "seed %d, history %d, pinned commit %d, user %s",
                                    seed, h, snapshot.getKey(), u)
                            .isEqualTo(snapshot.getValue().get(u));
                }
            }
        }
    }
}
