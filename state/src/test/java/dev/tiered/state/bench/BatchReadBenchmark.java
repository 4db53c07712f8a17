package dev.tiered.state.bench;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.cold.BatchReadSpec;
import dev.tiered.state.cold.BatchReader;
import dev.tiered.state.cold.BatchWriter;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.data.RowData;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Cold batch read throughput over one ZSTD batch of {@link ChatRows#ROWS} chat rows: a full scan, a
 * scan projected to {@code conversation_id} (plus the key and system columns), and point lookups by
 * key (bloom filter plus statistics). Scan scores are rows/s; the lookup score is lookups/s.
 *
 * <p>Run: {@code scripts/bench.sh BatchRead -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class BatchReadBenchmark {
    private TableDefinition table;
    private java.nio.file.Path dir;
    private Path path;
    private long nextKey;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        table = ChatRows.table();
        RowData[] rows = ChatRows.rows(ChatRows.ROWS);
        dir = Files.createTempDirectory("batch-read-bench");
        path = new Path(dir.toUri().toString(), "batch-1.parquet");
        BatchWriter.Options options = BatchWriter.Options.defaults().withExpectedRows(rows.length);
        try (BatchWriter writer = BatchWriter.create(path, table, ScopeId.SHARED, options)) {
            for (int i = 0; i < rows.length; i++) {
                writer.write(rows[i], 5_000_000L + i, ChangeOp.UPSERT);
            }
            writer.finish();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        ChatRows.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(ChatRows.ROWS)
    public void fullScan(Blackhole blackhole) throws IOException {
        scan(BatchReadSpec.all(), blackhole);
    }

    @Benchmark
    @OperationsPerInvocation(ChatRows.ROWS)
    public void projectedScan(Blackhole blackhole) throws IOException {
        scan(BatchReadSpec.all().withColumns("conversation_id"), blackhole);
    }

    @Benchmark
    public void pointLookup(Blackhole blackhole) throws IOException {
        long key = 1_000_000L + (nextKey++ * 7919) % ChatRows.ROWS;
        scan(BatchReadSpec.all().withKey(key), blackhole);
    }

    private void scan(BatchReadSpec spec, Blackhole blackhole) throws IOException {
        try (BatchReader reader = BatchReader.open(path, table, ScopeId.SHARED, spec)) {
            while (reader.next()) {
                blackhole.consume(reader.row());
            }
        }
    }
}
