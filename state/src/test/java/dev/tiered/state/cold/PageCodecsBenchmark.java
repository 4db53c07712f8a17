package dev.tiered.state.cold;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * ZSTD page compression of one file's page, {@link PageCodecs} against Parquet's own codec factory
 * (level 1 both): each operation is what a batch with one page per column pays per column, the
 * factory of the file included (a USER table's flush writes ~2,000-row batches, one small page per
 * column). Pages are chat text from a small vocabulary, {@code pageBytes} long. Next to the other
 * JMH benchmarks in spirit; here because {@link PageCodecs} is package-private.
 *
 * <p>Run: {@code scripts/bench.sh PageCodecs -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class PageCodecsBenchmark {
    private static final CompressionCodecName ZSTD = CompressionCodecName.ZSTD;
    private static final String[] WORDS =
            "the quick brown fox jumps over a lazy dog hello world chat user reply thanks later ok"
                    .split(" ");

    @Param({"2048", "40960", "1048576"})
    int pageBytes;

    @Param({"parquet", "tiered"})
    String codecs;

    private PlainParquetConfiguration conf;
    private byte[] page;

    @Setup
    public void setUp() {
        conf = new PlainParquetConfiguration();
        conf.setInt("parquet.compression.codec.zstd.level", BatchWriter.Options.ZSTD_LEVEL);
        StringBuilder text = new StringBuilder(pageBytes + 16);
        Random random = new Random(42);
        while (text.length() < pageBytes) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        page = text.substring(0, pageBytes).getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public long compressPageOfNewFile() throws IOException {
        CompressionCodecFactory factory = writing();
        try {
            return factory.getCompressor(ZSTD).compress(BytesInput.from(page)).size();
        } finally {
            factory.release();
        }
    }

    private CompressionCodecFactory writing() {
        return codecs.equals("tiered")
                ? new PageCodecs(BatchWriter.Options.ZSTD_LEVEL, 1 << 20)
                : new CodecFactory(conf, 1 << 20);
    }
}
