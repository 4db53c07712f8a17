package dev.tiered.state.cold;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The read buffer under Parquet's stream: every mix of reads, skips and seeks sees the file. */
class BufferedFlinkStreamTest {
    @TempDir File dir;

    @Test
    void randomReadsAndSeeksReturnTheFilesBytes() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        byte[] content = new byte[100_000];
        random.nextBytes(content);
        File file = new File(dir, "data.bin");
        Files.write(file.toPath(), content);

        FSDataInputStream raw = LocalFileSystem.getSharedInstance().open(new Path(file.toURI()));
        try (FlinkInputFile.BufferedFlinkStream in = new FlinkInputFile.BufferedFlinkStream(raw)) {
            long position = 0;
            for (int step = 0; step < 5_000; step++) {
                assertThat(in.position()).as("seed %d, step %d", seed, step).isEqualTo(position);
                switch (random.nextInt(5)) {
                    case 0 -> { // a seek: near (often within the buffer) or anywhere
                        position =
                                random.nextBoolean()
                                        ? Math.max(
                                                0,
                                                Math.min(
                                                        content.length,
                                                        position + random.nextInt(20_000) - 10_000))
                                        : random.nextInt(content.length + 1);
                        in.seek(position);
                    }
                    case 1 -> { // one byte
                        int b = in.read();
                        assertThat(b)
                                .as("seed %d, byte at %d", seed, position)
                                .isEqualTo(
                                        position == content.length
                                                ? -1
                                                : content[(int) position] & 0xff);
                        position += b < 0 ? 0 : 1;
                    }
                    case 2 -> { // a skip
                        long n = Math.min(random.nextInt(3_000), content.length - position);
                        assertThat(in.skip(n)).isEqualTo(n);
                        position += n;
                    }
                    default -> { // a read, small or larger than the buffer
                        int len =
                                random.nextBoolean()
                                        ? random.nextInt(100)
                                        : random.nextInt(
                                                3
                                                        * FlinkInputFile.BufferedFlinkStream
                                                                .BUFFER_BYTES);
                        byte[] into = new byte[len + 10];
                        int n = in.read(into, 5, len);
                        if (position == content.length && len > 0) {
                            assertThat(n).isEqualTo(-1);
                        } else {
                            assertThat(n).isBetween(Math.min(1, len), len);
                            assertThat(Arrays.copyOfRange(into, 5, 5 + n))
                                    .as("seed %d, %d bytes at %d", seed, n, position)
                                    .isEqualTo(
                                            Arrays.copyOfRange(
                                                    content, (int) position, (int) position + n));
                            position += n;
                        }
                    }
                }
            }
        }
    }
}
