package dev.tiered.sink.internal;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotStoreOptions;
import dev.tiered.state.hot.HotTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.testing.TableFixtures;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Flushes written on the flush thread: a flush holds the scope as it was when it was opened while
 * the store goes on, its delta is handed over once written, and closing, discarding or failing
 * leaves no batch behind and no cursor open.
 */
class BackgroundFlusherTest {
    private static final ScopeId ALICE = ScopeId.user("alice");

    @TempDir File warehouse;
    @TempDir File hotDir;

    private final Clock clock = Clock.systemUTC();
    private TieredTable table;
    private HotStore store;
    private HotTable hot;
    private BackgroundFlusher flusher;
    private long seq = 1000;

    @BeforeEach
    void open() throws IOException {
        table = TableFixtures.messages(new FlinkFileIO(), warehouse);
        store =
                HotStore.open(
                        hotDir.toPath().resolve("hot"),
                        List.of(table.definition()),
                        HotStoreOptions.defaults(),
                        clock);
        hot = store.table(table.definition().tableId());
        flusher = new BackgroundFlusher(table.definition().tableId(), 0, clock);
    }

    @AfterEach
    void close() {
        flusher.close();
        store.close();
    }

    @Test
    void aFlushHoldsTheScopeAsOpenedWhileTheStoreGoesOn() throws IOException {
        write(0, 20_000);
        ScopeFlusher flush = open(1);
        flusher.submit(flush);
        assertThat(flusher.isRunning(ALICE)).isTrue();

        write(20_000, 20_100); // while the flush thread reads its snapshot

        List<CommitDelta.ScopeFlush> taken = flusher.takeFinished(true);
        assertThat(taken).hasSize(1);
        assertThat(taken.get(0).added().get(0).rowCount()).isEqualTo(20_000);
        assertThat(taken.get(0).flushedThroughSeq()).isEqualTo(flush.flushedThroughSeq());
        assertThat(new File(flush.path().getPath())).isFile();
        assertThat(flusher.isRunning(ALICE)).isFalse();
        assertThat(flusher.takeFinished(true)).isEmpty();
    }

    @Test
    void closeCancelsRunningFlushesAndLeavesNoBatch() throws IOException {
        write(0, 200_000);
        flusher.submit(open(1));

        flusher.close(); // cancels the flush wherever it is, then the store can close

        assertThat(parquetFiles()).isEmpty();
        store.close();
    }

    @Test
    void aDiscardedFlushLeavesNoBatch() throws IOException {
        write(0, 1_000);
        flusher.submit(open(1));

        flusher.discard(ALICE);

        assertThat(flusher.isRunning(ALICE)).isFalse();
        assertThat(parquetFiles()).isEmpty();
    }

    @Test
    void aFailedFlushFailsTheTakeNamingScopeAndTable() throws IOException {
        write(0, 1_000);
        ScopeFlusher flush = open(1);
        File existing = new File(flush.path().getPath());
        Files.createDirectories(existing.getParentFile().toPath());
        Files.write(existing.toPath(), new byte[] {1}); // a batch is only ever created

        flusher.submit(flush);

        assertThatThrownBy(() -> flusher.takeFinished(true))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot flush alice of chat.messages");
        assertThat(flusher.isRunning(ALICE)).isFalse();
    }

    private ScopeFlusher open(int batch) throws IOException {
        Path path = new Path(table.scopeDir(ALICE), "batch-" + batch + ".parquet");
        return ScopeFlusher.open(table, hot, ALICE, path, null, Long.MIN_VALUE, seq++);
    }

    private void write(long from, long to) throws IOException {
        for (long id = from; id < to; id++) {
            hot.apply(
                    ALICE,
                    seq++,
                    ChangeOp.UPSERT,
                    GenericRowData.of(
                            id,
                            StringData.fromString("alice"),
                            1L,
                            StringData.fromString("message " + id),
                            null));
        }
    }

    private File[] parquetFiles() {
        File dir = new File(table.scopeDir(ALICE).getPath());
        File[] files = dir.listFiles(f -> f.getName().endsWith(".parquet"));
        return files == null ? new File[0] : files;
    }
}
