package dev.tiered.state.maint;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchFile;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.HotSegmentCompression;
import dev.tiered.state.cold.HotSegmentFile;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.ParquetCompression;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.commit.PendingCommit;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.merge.HotRows;
import dev.tiered.state.merge.KeyComparators;
import dev.tiered.state.merge.ScopeReader;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.ManualClock;
import dev.tiered.state.testing.TestTables;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stand-in for the sink over chat.messages (a USER table) with a plain-map model of what the
 * table holds: changes go to a hot segment per checkpoint, flushes write a user's live hot rows as
 * a batch. Batches are uncompressed and hot segments too, so byte scans see every value.
 */
final class TestWriter {
    static final long START_MILLIS = 1_763_600_000_000L;

    /** The table written; a test may swap in {@code table.withUserStorages(...)}. */
    TieredTable table;

    final ManualClock clock;
    final SnowflakeIds ids;
    final Map<String, Map<Long, String>> model = new TreeMap<>();
    private final List<Object[]> changes = new ArrayList<>();
    private long checkpoint;
    private int segments;

    /** Names this writer's hot segments; give a second writer of the same table another. */
    String segmentPrefix = "w-";

    /** The writer identity of this writer's commits; give a second writer another. */
    String writerId = "w";

    TestWriter(TableFileIO io, File dir, Map<String, String> properties, ManualClock clock)
            throws IOException {
        this(io, dir, "messages", properties, clock);
    }

    TestWriter(
            TableFileIO io,
            File dir,
            String name,
            Map<String, String> properties,
            ManualClock clock)
            throws IOException {
        Map<String, String> options = new HashMap<>(properties);
        options.put("TYPE", "USER");
        TableDefinition definition =
                TableDefinition.create(
                        "chat",
                        name,
                        TestTables.messageColumns(),
                        List.of("id"),
                        options,
                        id -> true);
        this.table = TieredTable.create(io, Path.fromLocalFile(dir), definition);
        this.clock = clock;
        this.ids = new SnowflakeIds(1, clock);
    }

    static RowData row(long key, String user, String content) {
        return GenericRowData.of(
                key,
                StringData.fromString(user),
                7L,
                content == null ? null : StringData.fromString(content),
                TimestampData.fromEpochMillis(1_000));
    }

    void upsert(String user, long key, String content) {
        changes.add(new Object[] {user, key, content});
        model.computeIfAbsent(user, u -> new TreeMap<>()).put(key, content);
    }

    void delete(String user, long key) {
        changes.add(new Object[] {user, key, null});
        model.computeIfAbsent(user, u -> new TreeMap<>()).remove(key);
    }

    /** Commits the changes since the last checkpoint as one hot segment. */
    long checkpoint() throws IOException {
        clock.advance(1_000);
        if (changes.isEmpty()) {
            return table.latestState().commit();
        }
        Path path = new Path(table.layout().hotDir(), segmentPrefix + segments++ + ".avro");
        HotSegmentFile file;
        try (HotSegmentWriter writer =
                HotSegmentWriter.create(path, table.definition(), HotSegmentCompression.NONE)) {
            for (Object[] change : changes) {
                String user = (String) change[0];
                long key = (Long) change[1];
                String content = (String) change[2];
                writer.write(
                        ScopeId.user(user),
                        ids.nextId(),
                        content == null ? ChangeOp.DELETE : ChangeOp.UPSERT,
                        row(key, user, content));
            }
            file = writer.finish();
        }
        changes.clear();
        checkpoint++;
        HotSegmentRef ref = Segments.ref(file, writerId, checkpoint);
        return commit(new PendingCommit("append", writerId, checkpoint).addHotSegment(ref));
    }

    /** Writes the user's live hot rows as a batch and commits the flush; -1 if none. */
    long flush(String user) throws IOException {
        clock.advance(1_000);
        ScopeId scope = ScopeId.user(user);
        TableState state = table.latestState();
        TableDefinition definition = table.definition();
        HotRows hot =
                new HotRows(
                        scope,
                        definition.rowType(),
                        KeyComparators.forField(definition.rowType().getTypeAt(0), 0));
        for (HotSegmentRef segment : state.hotSegments()) {
            if (!segment.scopes().contains(scope)) {
                continue;
            }
            Path path = new Path(table.layout().hotDir(), segment.path());
            try (HotSegmentReader reader =
                    HotSegmentReader.open(path.getFileSystem(), path, definition, scope::equals)) {
                hot.addAll(reader, seq -> seq > state.scope(scope).flushedThroughSeq());
            }
        }
        if (hot.size() == 0) {
            return -1;
        }
        TieredTable.ScopePlacement placement = table.placeScope(state, scope);
        Path path = new Path(placement.dir(), "batch-" + ids.nextId() + ".parquet");
        BatchFile file;
        try (ChangeCursor rows = hot.cursor();
                BatchWriter writer =
                        BatchWriter.create(
                                path,
                                definition,
                                scope,
                                BatchWriter.Options.defaults()
                                        .withCompression(ParquetCompression.UNCOMPRESSED))) {
            while (rows.next()) {
                writer.write(rows.row(), rows.seq(), rows.op());
            }
            file = writer.finish();
        }
        SegmentEntry entry = Segments.entry(file, definition, clock.millis());
        long flushedThrough = ids.nextId();
        return commit(
                new PendingCommit("flush", "w", -1)
                        .changeScope(
                                scope,
                                List.of(entry),
                                List.of(),
                                flushedThrough,
                                placement.storage()));
    }

    private long commit(PendingCommit pending) throws IOException {
        return table.committer(clock).commit(pending, table.definition().schemaVersion()).commit();
    }

    /** The user's rows as a reader of {@code state} sees them: key to content. */
    static Map<Long, String> read(TieredTable table, TableState state, String user)
            throws IOException {
        Map<Long, String> result = new TreeMap<>();
        try (ChangeCursor cursor =
                ScopeReader.open(table, state, ScopeId.user(user), BatchReadSpec.all(), 0, false)) {
            while (cursor.next()) {
                if (!cursor.row().getString(1).toString().equals(user)) {
                    throw new AssertionError("a row of another user in " + user + "'s scope");
                }
                result.put(cursor.row().getLong(0), cursor.row().getString(3).toString());
            }
        }
        return result;
    }

    Map<Long, String> expected(String user) {
        return model.getOrDefault(user, Map.of());
    }
}
