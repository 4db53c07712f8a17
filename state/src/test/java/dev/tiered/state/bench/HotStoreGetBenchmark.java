package dev.tiered.state.bench;

import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotTable;

import org.apache.flink.table.data.RowData;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Point lookups of existing chat messages by (user, id) among 1 M rows (about 170 MB of entries,
 * more than the 64 MB block cache; the files stay in the OS page cache), beside raw RocksDB gets of
 * the same pre-encoded keys. Each side loads only its own store and leaves it fully compacted (the
 * hot store by restore, the raw DB by puts and a compaction), so no background work runs while
 * measuring. The hot store also checks the op and {@code _seq} and hands out an owned row.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class HotStoreGetBenchmark {
    private static final int ROWS = 1 << 20;

    @State(Scope.Benchmark)
    public static class Data {
        HotStoreBenchData data;
        int[] order;

        @Setup(Level.Trial)
        public void generate() {
            data = new HotStoreBenchData(ROWS, 7);
            Random random = new Random(11);
            order = new int[ROWS];
            for (int i = 0; i < ROWS; i++) {
                order[i] = random.nextInt(ROWS);
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Hot {
        HotStore store;
        HotTable table;
        int next;

        @Setup(Level.Trial)
        public void load(Data data) throws Exception {
            store = HotStoreBenchSupport.openHotStore();
            table = store.table("chat.messages");
            table.restore(List.of(data.data.cursor()), scope -> true);
        }

        @TearDown(Level.Trial)
        public void close() {
            HotStoreBenchSupport.close(store);
        }
    }

    @State(Scope.Benchmark)
    public static class Raw {
        Path directory;
        HotStoreRawDb db;
        int next;

        @Setup(Level.Trial)
        public void load(Data data) throws Exception {
            directory = HotStoreBenchSupport.newRawDirectory();
            db = new HotStoreRawDb(directory);
            data.data.loadCompacted(db);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            db.close();
            HotStoreBenchSupport.delete(directory);
        }
    }

    @Benchmark
    public RowData hotStoreGet(Data data, Hot hot) throws Exception {
        int i = data.order[hot.next++ & (ROWS - 1)];
        return hot.table.get(data.data.scopes[i], data.data.keyRows[i]);
    }

    @Benchmark
    public byte[] rawGet(Data data, Raw raw) throws Exception {
        int i = data.order[raw.next++ & (ROWS - 1)];
        return raw.db.db.get(raw.db.table, raw.db.readOptions, data.data.rawKeys[i]);
    }
}
