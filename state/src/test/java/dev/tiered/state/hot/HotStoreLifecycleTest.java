package dev.tiered.state.hot;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.Column;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.testing.ManualClock;

import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.tiered.state.hot.HotFixtures.T0;
import static dev.tiered.state.hot.HotFixtures.message;
import static dev.tiered.state.hot.HotFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store owns its native resources and its directory: every path (close, double close, failed
 * open, cursors left open) releases all of them, so a TaskManager that opens and closes stores for
 * days keeps no file handles and no native memory.
 */
class HotStoreLifecycleTest {
    private static final List<TableDefinition> TABLES =
            List.of(HotFixtures.messages(), HotFixtures.presence(60));

    @TempDir Path tmp;
    private final ManualClock clock = new ManualClock(T0);

    @Test
    void thousandsOfStoresOpenAndCloseWithoutLeakingHandles() throws IOException {
        openUseAndClose(tmp.resolve("warm-up")); // loads the native library and classes
        long fdsBefore = openFileDescriptors();

        for (int i = 0; i < 2_000; i++) {
            Path directory = tmp.resolve("store-" + i);
            List<RocksObject> handles = openUseAndClose(directory);
            assertThat(handles).as("store %d", i).allMatch(handle -> !handle.isOwningHandle());
            assertThat(directory).as("store %d", i).doesNotExist();
        }

        assertThat(openFileDescriptors()).isEqualTo(fdsBefore);
    }

    @Test
    void failedOpensReleaseWhatTheyCreated() throws IOException {
        // A table the codec cannot store fails the open after RocksDB itself opened.
        TableDefinition unsupported =
                TableDefinition.of(
                        "app",
                        "bad",
                        1,
                        List.of(
                                new Column(1, "id", new BigIntType(false)),
                                new Column(2, "tags", new ArrayType(new IntType()))),
                        List.of("id"),
                        HotFixtures.config().options(),
                        Map.of());
        openUseAndClose(tmp.resolve("warm-up"));
        long fdsBefore = openFileDescriptors();

        for (int i = 0; i < 200; i++) {
            Path directory = tmp.resolve("bad-" + i);
            assertThatThrownBy(
                            () ->
                                    HotStore.open(
                                            directory,
                                            List.of(HotFixtures.messages(), unsupported),
                                            HotStoreOptions.defaults(),
                                            clock))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "Cannot store type ARRAY<INT> in the hot tier: not a supported column"
                                    + " type");
            assertThat(directory).doesNotExist();
        }

        assertThat(openFileDescriptors()).isEqualTo(fdsBefore);
    }

    @Test
    void aDirectoryWithContentIsNeitherUsedNorDeleted() throws IOException {
        Path directory = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(directory.resolve("someone-else.txt"), "keep me");

        assertThatThrownBy(
                        () -> HotStore.open(directory, TABLES, HotStoreOptions.defaults(), clock))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot open hot store in " + directory + ": directory is not empty");
        assertThat(directory.resolve("someone-else.txt")).hasContent("keep me");
    }

    @Test
    void closeIsIdempotentAndEndsEveryOtherCall() throws IOException {
        HotStore store = HotStore.open(tmp.resolve("s"), TABLES, HotStoreOptions.defaults(), clock);
        HotTable messages = store.table("chat.messages");
        store.close();
        store.close();

        assertThat(store.isClosed()).isTrue();
        assertThatThrownBy(
                        () -> messages.upsert(ScopeId.user("a"), 1L << 40, message(1, "a", 1, "")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot use hot store in " + tmp.resolve("s") + ": closed");
        assertThatThrownBy(() -> messages.cursor(ScopeId.user("a")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(store::expire).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeClosesCursorsTheirBorrowersForgot() throws IOException {
        HotStore store = HotStore.open(tmp.resolve("s"), TABLES, HotStoreOptions.defaults(), clock);
        HotTable messages = store.table("chat.messages");
        messages.upsert(ScopeId.user("a"), 1L << 40, message(1, "a", 1, "x"));
        ChangeCursor forgotten = messages.cursor(ScopeId.user("a"));
        assertThat(forgotten.next()).isTrue();
        try (ChangeCursor closed = messages.cursor(ScopeId.user("a"))) {
            assertThat(store.openCursors()).isEqualTo(2);
        }
        assertThat(store.openCursors()).isEqualTo(1);

        store.close();

        assertThat(store.openCursors()).isZero();
        assertThatThrownBy(forgotten::next)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot advance hot-store cursor: closed");
        forgotten.close(); // a late close by the borrower is harmless
        assertThat(store.nativeHandles()).allMatch(handle -> !handle.isOwningHandle());
    }

    /** Opens a store, writes, reads, scans and expires, closes; returns its native handles. */
    private List<RocksObject> openUseAndClose(Path directory) throws IOException {
        HotStore store = HotStore.open(directory, TABLES, HotStoreOptions.defaults(), clock);
        List<RocksObject> handles;
        try {
            HotTable messages = store.table("chat.messages");
            messages.upsert(ScopeId.user("alice"), 1L << 40, message(1, "alice", 1, "hi"));
            store.table("chat.presence").upsert(ScopeId.SHARED, 1L << 40, row("alice", "on"));
            try (ChangeCursor cursor = messages.cursor(ScopeId.user("alice"))) {
                assertThat(cursor.next()).isTrue();
            }
            store.expire();
            handles = store.nativeHandles();
            assertThat(handles).allMatch(RocksObject::isOwningHandle);
        } finally {
            store.close();
        }
        return handles;
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
