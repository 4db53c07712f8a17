package dev.tiered.state.bench;

import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotTable;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Upserts of new chat messages (increasing ids over 1000 users) into an empty hot store, beside raw
 * RocksDB puts of the same pre-encoded keys and values. Each iteration starts from an empty store;
 * the hot store also reads the stored version of each key (newest-wins) and keeps its scope
 * bookkeeping.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class HotStorePutBenchmark {
    /** More rows than an iteration writes (about 0.5 M at 250 k/s): every put is a new key. */
    private static final int ROWS = 1 << 20;

    @State(Scope.Benchmark)
    public static class Data {
        /**
         * {@code increasing}: snowflake message ids, each new key above its scope's keys (the hot
         * store knows it is new without a read); {@code random}: random 64-bit ids (every put reads
         * the stored version first).
         */
        @Param({"increasing", "random"})
        public String ids;

        HotStoreBenchData data;

        @Setup(Level.Trial)
        public void generate() {
            data = new HotStoreBenchData(ROWS, HotStoreBenchData.USERS, 42, ids.equals("random"));
        }
    }

    @State(Scope.Thread)
    public static class Hot {
        HotStore store;
        HotTable table;
        int next;

        @Setup(Level.Iteration)
        public void open() throws Exception {
            store = HotStoreBenchSupport.openHotStore();
            table = store.table("chat.messages");
            next = 0;
        }

        @TearDown(Level.Iteration)
        public void close() {
            HotStoreBenchSupport.close(store);
        }
    }

    @State(Scope.Thread)
    public static class Raw {
        Path directory;
        HotStoreRawDb db;
        int next;

        @Setup(Level.Iteration)
        public void open() throws Exception {
            directory = HotStoreBenchSupport.newRawDirectory();
            db = new HotStoreRawDb(directory);
            next = 0;
        }

        @TearDown(Level.Iteration)
        public void close() throws Exception {
            db.close();
            HotStoreBenchSupport.delete(directory);
        }
    }

    @Benchmark
    public boolean hotStorePut(Data data, Hot hot) throws Exception {
        int i = hot.next++ & (ROWS - 1);
        HotStoreBenchData d = data.data;
        // A fresh store per iteration: the counter is a valid increasing _seq.
        return hot.table.upsert(d.scopes[i], hot.next, d.rows[i]);
    }

    @Benchmark
    public void rawPut(Data data, Raw raw) throws Exception {
        int i = raw.next++ & (ROWS - 1);
        byte[] key = data.data.rawKeys[i];
        byte[] value = data.data.rawValues[i];
        raw.db.db.put(raw.db.table, raw.db.writeOptions, key, value);
    }
}
