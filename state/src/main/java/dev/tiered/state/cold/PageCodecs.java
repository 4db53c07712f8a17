package dev.tiered.state.cold;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The page codecs of one Parquet file being written: ZSTD pages are compressed in one call each,
 * through one zstd-jni context for the whole file; other codecs, and decompression, are Parquet's
 * own.
 *
 * <p>Parquet's ZSTD codec opens a compression stream per page, which allocates a native context per
 * page and copies the page through the stream's buffers, and its factory allocates a page-sized (1
 * MiB) output buffer per file. A USER table's flush writes a small batch per user (a page or two
 * per column), so those fixed costs weigh: a 2 KiB page of a new file took 82 µs to compress that
 * way and takes 17 µs here ({@code PageCodecsBenchmark}). The frames are plain ZSTD frames (with
 * the content size), which every ZSTD decoder reads. Decompressing the same way gained nothing (1
 * MiB pages decompress in the same time either way), so readers keep Parquet's codec.
 *
 * <p>A file's writer owns its instance and calls {@link #release()} when it closes (Parquet's
 * {@code ParquetWriter} does, also when closing fails); one file's pages are compressed one at a
 * time, on one thread.
 */
final class PageCodecs implements CompressionCodecFactory {
    private final int zstdLevel;
    private final int pageBytes;
    private ZstdCompressor compressor;
    private CodecFactory others;

    /**
     * @param zstdLevel the level ZSTD pages are compressed at
     * @param pageBytes the target page size, which Parquet's own compressors size their buffers by
     */
    PageCodecs(int zstdLevel, int pageBytes) {
        this.zstdLevel = zstdLevel;
        this.pageBytes = pageBytes;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        if (codec != CompressionCodecName.ZSTD) {
            return others().getCompressor(codec);
        }
        if (compressor == null) {
            compressor = new ZstdCompressor(zstdLevel);
        }
        return compressor;
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return others().getDecompressor(codec);
    }

    @Override
    public void release() {
        try {
            if (compressor != null) {
                compressor.release();
            }
        } finally {
            compressor = null;
            if (others != null) {
                others.release();
                others = null;
            }
        }
    }

    private CodecFactory others() {
        if (others == null) {
            others = new CodecFactory(new PlainParquetConfiguration(), pageBytes);
        }
        return others;
    }

    /** Compresses each page in one call into a buffer reused from page to page. */
    private static final class ZstdCompressor implements BytesInputCompressor {
        private final ZstdCompressCtx context;
        private final PageBuffer input = new PageBuffer();
        private byte[] output = new byte[0];

        ZstdCompressor(int level) {
            context = new ZstdCompressCtx();
            context.setLevel(level);
        }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            input.reset();
            bytes.writeAllTo(input);
            int bound = (int) Zstd.compressBound(input.length);
            if (output.length < bound) {
                output = new byte[bound];
            }
            int length =
                    context.compressByteArray(
                            output, 0, output.length, input.bytes, 0, input.length);
            // Valid until the next page: Parquet copies each compressed page before the next one.
            return BytesInput.from(output, 0, length);
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            context.close();
        }
    }

    /** A growable byte array that pages are gathered into, reused from page to page. */
    private static final class PageBuffer extends OutputStream {
        byte[] bytes = new byte[0];
        int length;

        void reset() {
            length = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[length++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, length, len);
            length += len;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
            }
        }
    }
}
