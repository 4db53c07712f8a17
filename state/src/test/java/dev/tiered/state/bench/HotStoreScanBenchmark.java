package dev.tiered.state.bench;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ScopeId;
import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotTable;

import org.apache.flink.table.data.RowData;

import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.Blackhole;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Iterating one scope of 200 k chat messages in key order (a flush's input), beside a raw RocksDB
 * iterator over the same key range. Both read every field of every row: the hot store through the
 * cursor's row, the raw side as key and value byte arrays. Each side loads only its own store and
 * leaves it compacted (restore; puts and a compaction). The {@code rows} counter is rows/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class HotStoreScanBenchmark {
    private static final int ROWS = 200_000;

    @State(Scope.Benchmark)
    public static class Data {
        HotStoreBenchData data;
        ScopeId scope;

        @Setup(Level.Trial)
        public void generate() {
            data = new HotStoreBenchData(ROWS, 1, 3, false);
            scope = data.scopes[0];
        }
    }

    @State(Scope.Benchmark)
    public static class Hot {
        HotStore store;
        HotTable table;

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

    /** Rows read, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rows {
        public long rows;
    }

    @Benchmark
    public void hotStoreScan(Data data, Hot hot, Rows rows, Blackhole sink) throws Exception {
        try (ChangeCursor cursor = hot.table.cursor(data.scope)) {
            while (cursor.next()) {
                RowData row = cursor.row();
                sink.consume(cursor.seq());
                sink.consume(row.getLong(0));
                sink.consume(row.getString(1));
                sink.consume(row.getLong(2));
                sink.consume(row.getString(3));
                sink.consume(row.getTimestamp(4, 3));
                rows.rows++;
            }
        }
    }

    @Benchmark
    public void rawScan(Data data, Raw raw, Rows rows, Blackhole sink) {
        byte[] lower = HotStoreBenchData.rawKey(data.scope.userId(), Long.MIN_VALUE);
        byte[] upper = lower.clone();
        upper[upper.length - 9] = 1; // the scope terminator 0x00 -> 0x01
        try (Slice bound = new Slice(upper);
                ReadOptions options =
                        new ReadOptions().setFillCache(false).setIterateUpperBound(bound);
                RocksIterator it = raw.db.db.newIterator(raw.db.table, options)) {
            for (it.seek(lower); it.isValid(); it.next()) {
                sink.consume(it.key());
                sink.consume(it.value());
                rows.rows++;
            }
        }
    }
}
