package dev.tiered.state.cold;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages compressed by {@link PageCodecs} read back by Parquet's own ZSTD codec. (Whole batches:
 * {@code BatchReaderTest}, and {@code DuckDbReadTest} for another ZSTD decoder.)
 */
class PageCodecsTest {
    private static final CompressionCodecName ZSTD = CompressionCodecName.ZSTD;

    @Test
    void pagesReadBackThroughParquetsOwnCodec() throws IOException {
        List<byte[]> pages = pages(new Random(42));
        CompressionCodecFactory ours = new PageCodecs(1, 1 << 20);
        CompressionCodecFactory parquets =
                new CodecFactory(new PlainParquetConfiguration(), 1 << 20);
        try {
            // Ours reuses one output buffer from page to page: copy each page before the next.
            List<byte[]> oursCompressed = compressAll(ours.getCompressor(ZSTD), pages);
            for (int i = 0; i < pages.size(); i++) {
                byte[] page = pages.get(i);
                assertThat(decompress(parquets.getDecompressor(ZSTD), oursCompressed.get(i), page))
                        .as("page %d (%d bytes) written by ours, read by Parquet's", i, page.length)
                        .isEqualTo(page);
            }
        } finally {
            ours.release();
            parquets.release();
        }
    }

    @Test
    void compressesAtTheGivenLevel() throws IOException {
        byte[] page = pages(new Random(5)).get(5); // text, 1 MiB
        PageCodecs fast = new PageCodecs(1, 1 << 20);
        PageCodecs strong = new PageCodecs(19, 1 << 20);
        try {
            long fastBytes = fast.getCompressor(ZSTD).compress(BytesInput.from(page)).size();
            long strongBytes = strong.getCompressor(ZSTD).compress(BytesInput.from(page)).size();
            assertThat(strongBytes).isLessThan(fastBytes);
        } finally {
            fast.release();
            strong.release();
        }
    }

    @Test
    void otherCodecsAreParquetsOwn() throws IOException {
        byte[] page = pages(new Random(3)).get(5);
        PageCodecs codecs = new PageCodecs(1, 1 << 20);
        try {
            for (CompressionCodecName codec :
                    List.of(CompressionCodecName.SNAPPY, CompressionCodecName.UNCOMPRESSED)) {
                BytesInputCompressor compressor = codecs.getCompressor(codec);
                assertThat(compressor.getCodecName()).isEqualTo(codec);
                byte[] compressed = compressor.compress(BytesInput.from(page)).toByteArray();
                assertThat(decompress(codecs.getDecompressor(codec), compressed, page))
                        .isEqualTo(page);
            }
        } finally {
            codecs.release();
        }
    }

    /** Empty, tiny, text-like and random pages, some above the 1 MiB page size. */
    private static List<byte[]> pages(Random random) {
        List<byte[]> pages = new ArrayList<>();
        for (int size : new int[] {0, 1, 17, 4096, 70_000, 1 << 20, (1 << 20) + 12_345, 300}) {
            byte[] page = new byte[size];
            if (pages.size() % 2 == 0) {
                random.nextBytes(page);
            } else {
                for (int i = 0; i < size; i++) {
                    page[i] = (byte) ('a' + random.nextInt(6));
                }
            }
            pages.add(page);
        }
        return pages;
    }

    private static List<byte[]> compressAll(BytesInputCompressor compressor, List<byte[]> pages)
            throws IOException {
        List<byte[]> compressed = new ArrayList<>();
        for (byte[] page : pages) {
            compressed.add(compressor.compress(BytesInput.from(page)).toByteArray());
        }
        return compressed;
    }

    private static byte[] decompress(
            BytesInputDecompressor decompressor, byte[] compressed, byte[] page)
            throws IOException {
        return decompressor.decompress(BytesInput.from(compressed), page.length).toByteArray();
    }
}
