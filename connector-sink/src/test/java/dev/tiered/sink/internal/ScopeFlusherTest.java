package dev.tiered.sink.internal;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.cold.DictionaryHints;
import dev.tiered.state.cold.FileSyncs;
import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotStoreOptions;
import dev.tiered.state.hot.HotTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.testing.TableFixtures;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flush at end of input while an earlier flush of the scope awaits its commit writes only what
 * that flush does not hold, and the two batches together are the scope's hot rows.
 */
class ScopeFlusherTest {
    private static final ScopeId ALICE = ScopeId.user("alice");

    @TempDir File warehouse;
    @TempDir File hotDir;

    @Test
    void aFlushAboveAnAwaitedFlushWritesOnlyTheNewerEntries() throws IOException {
        TieredTable table = TableFixtures.messages(new FlinkFileIO(), warehouse);
        Clock clock = Clock.systemUTC();
        try (HotStore store =
                        HotStore.open(
                                hotDir.toPath().resolve("hot"),
                                List.of(table.definition()),
                                HotStoreOptions.defaults(),
                                clock);
                FileSyncs syncs = new FileSyncs(2)) {
            HotTable hot = store.table(table.definition().tableId());
            long seq = 1000;
            for (long id = 0; id < 100; id++) {
                hot.apply(ALICE, seq++, ChangeOp.UPSERT, row(id, "v1"));
            }
            long firstBound = seq++;
            CommitDelta.ScopeFlush first =
                    ScopeFlusher.open(
                                    table,
                                    hot,
                                    ALICE,
                                    path(table, 1),
                                    null,
                                    Long.MIN_VALUE,
                                    firstBound)
                            .write(clock, syncs, new DictionaryHints(), () -> false);
            assertThat(first.flushedThroughSeq()).isEqualTo(firstBound);

            // nothing new: nothing to write
            assertThat(
                            ScopeFlusher.open(
                                            table,
                                            hot,
                                            ALICE,
                                            path(table, 2),
                                            null,
                                            firstBound,
                                            seq++)
                                    .write(clock, syncs, new DictionaryHints(), () -> false))
                    .isNull();
            assertThat(new File(table.scopeDir(ALICE).getPath(), "batch-2.parquet")).doesNotExist();

            // the first flush is not committed: its rows stay hot; newer changes arrive
            for (long id = 50; id < 150; id++) {
                hot.apply(ALICE, seq++, ChangeOp.UPSERT, row(id, "v2"));
            }
            hot.apply(ALICE, seq++, ChangeOp.DELETE, row(10, null));
            long secondBound = seq++;
            CommitDelta.ScopeFlush second =
                    ScopeFlusher.open(
                                    table,
                                    hot,
                                    ALICE,
                                    path(table, 3),
                                    null,
                                    firstBound,
                                    secondBound)
                            .write(clock, syncs, new DictionaryHints(), () -> false);
            syncs.awaitAll();
            assertThat(second.flushedThroughSeq()).isEqualTo(secondBound);

            List<long[]> firstRows = read(table, "batch-1.parquet");
            List<long[]> secondRows = read(table, "batch-3.parquet");
            assertThat(firstRows).hasSize(100);
            assertThat(secondRows).hasSize(101).allMatch(r -> r[1] > firstBound);
            assertThat(second.added().get(0).rowCount()).isEqualTo(101);

            // newest _seq wins across both batches: exactly the hot store's rows
            Map<Long, long[]> merged = new TreeMap<>();
            for (long[] r : concat(firstRows, secondRows)) {
                merged.merge(r[0], r, (a, b) -> a[1] > b[1] ? a : b);
            }
            Map<Long, long[]> expected = new TreeMap<>();
            try (var cursor = hot.cursor(ALICE)) {
                while (cursor.next()) {
                    expected.put(
                            cursor.row().getLong(0),
                            new long[] {cursor.row().getLong(0), cursor.seq(), cursor.op().code()});
                }
            }
            assertThat(merged).hasSameSizeAs(expected);
            expected.forEach((id, r) -> assertThat(merged.get(id)).containsExactly(r));
        }
    }

    private static List<long[]> concat(List<long[]> a, List<long[]> b) {
        List<long[]> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<long[]> read(TieredTable table, String name) throws IOException {
        List<long[]> rows = new ArrayList<>();
        try (BatchReader reader =
                BatchReader.open(
                        new Path(table.scopeDir(ALICE), name),
                        table.definition(),
                        ALICE,
                        BatchReadSpec.all())) {
            while (reader.next()) {
                rows.add(new long[] {reader.row().getLong(0), reader.seq(), reader.op().code()});
            }
        }
        return rows;
    }

    private static Path path(TieredTable table, int batch) {
        return new Path(table.scopeDir(ALICE), "batch-" + batch + ".parquet");
    }

    private static GenericRowData row(long id, String content) {
        return GenericRowData.of(
                id,
                StringData.fromString("alice"),
                1L,
                content == null ? null : StringData.fromString(content),
                null);
    }
}
