package dev.tiered.state.bench;

import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.cold.HotSegmentCompression;
import dev.tiered.state.cold.HotSegmentReader;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.ParquetCompression;
import dev.tiered.state.cold.ParquetHotSegmentWriter;

import org.apache.flink.core.fs.FileSystem;
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
import org.openjdk.jmh.annotations.Param;
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
 * Hot segment throughput, the ingest-path cost of every row: writing {@link ChatRows#ROWS} changes
 * of 100 interleaved users to one segment, in each candidate format (Avro container files, our
 * choice, and Parquet), and reading a segment back (restore). Scores are rows/s; the file bytes per
 * row of each format are printed at the end of the trial.
 *
 * <p>Run: {@code scripts/bench.sh HotSegment -f 1 -wi 2 -i 3}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class HotSegmentBenchmark {

    /** The rows and a scratch directory, shared by both benchmarks. */
    public abstract static class Data {
        TableDefinition table;
        RowData[] rows;
        ScopeId[] scopes;
        java.nio.file.Path dir;

        void createData(String name) throws IOException {
            table = ChatRows.userTable();
            rows = ChatRows.rows(ChatRows.ROWS);
            scopes = ChatRows.scopes(ChatRows.ROWS);
            dir = Files.createTempDirectory(name);
        }

        long writeAvro(Path path, HotSegmentCompression compression) throws IOException {
            try (HotSegmentWriter writer = HotSegmentWriter.create(path, table, compression)) {
                for (int i = 0; i < rows.length; i++) {
                    writer.write(scopes[i], 5_000_000L + i, ChangeOp.UPSERT, rows[i]);
                }
                return writer.finish().sizeBytes();
            }
        }

        long writeParquet(Path path, ParquetCompression compression) throws IOException {
            FileSystem fs = path.getFileSystem();
            try (ParquetHotSegmentWriter writer =
                    new ParquetHotSegmentWriter(fs, path, table, compression)) {
                for (int i = 0; i < rows.length; i++) {
                    writer.write(scopes[i], 5_000_000L + i, ChangeOp.UPSERT, rows[i]);
                }
                return writer.finish();
            }
        }

        @TearDown(Level.Trial)
        public void deleteData() throws IOException {
            ChatRows.deleteRecursively(dir);
        }
    }

    /** Write side: every candidate format. */
    @State(Scope.Benchmark)
    public static class WriteState extends Data {
        @Param({
            "AVRO_NONE",
            "AVRO_SNAPPY",
            "AVRO_ZSTD",
            "PARQUET_UNCOMPRESSED",
            "PARQUET_SNAPPY",
            "PARQUET_ZSTD"
        })
        public String format;

        int file;
        long lastFileBytes;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            createData("hot-segment-write-bench");
        }

        @TearDown(Level.Invocation)
        public void deleteWrittenFile() throws IOException {
            ChatRows.deleteRecursively(dir);
            Files.createDirectories(dir);
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf(
                    "%nformat %s: file bytes per row: %.1f (raw %.1f)%n",
                    format,
                    lastFileBytes / (double) rows.length,
                    ChatRows.rawBytes(rows) / (double) rows.length);
        }
    }

    /** Read side (restore): our format only. */
    @State(Scope.Benchmark)
    public static class ReadState extends Data {
        @Param({"NONE", "SNAPPY", "ZSTD"})
        public String compression;

        Path path;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            createData("hot-segment-read-bench");
            path = new Path(dir.toUri().toString(), "seg.avro");
            writeAvro(path, HotSegmentCompression.valueOf(compression));
        }
    }

    @Benchmark
    @OperationsPerInvocation(ChatRows.ROWS)
    public long write(WriteState state) throws IOException {
        Path path = new Path(state.dir.toUri().toString(), "seg-" + (++state.file));
        String format = state.format;
        state.lastFileBytes =
                format.startsWith("AVRO_")
                        ? state.writeAvro(path, HotSegmentCompression.valueOf(format.substring(5)))
                        : state.writeParquet(path, ParquetCompression.valueOf(format.substring(8)));
        return state.lastFileBytes;
    }

    @Benchmark
    @OperationsPerInvocation(ChatRows.ROWS)
    public void read(ReadState state, Blackhole blackhole) throws IOException {
        try (HotSegmentReader reader = HotSegmentReader.open(state.path, state.table)) {
            while (reader.next()) {
                blackhole.consume(reader.row());
            }
        }
    }
}
