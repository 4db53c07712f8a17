package dev.tiered.state.cold;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A Parquet {@link InputFile} over Flink's {@link FileSystem}: reads {@code file://}, {@code s3://}
 * and every other Flink file system by URI.
 *
 * <p>Each {@link #newStream()} opens a new stream that the caller (Parquet's file reader) closes.
 * When the length is known (a manifest records {@code size_bytes}) pass it in and no status call is
 * made; otherwise it is read from the file system once. Thread-safe.
 */
public final class FlinkInputFile implements InputFile {
    private final FileSystem fileSystem;
    private final Path path;
    private volatile long length;

    private FlinkInputFile(FileSystem fileSystem, Path path, long length) {
        this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
        this.path = Objects.requireNonNull(path, "path");
        this.length = length;
    }

    /** An input file on the file system of the path's URI; its length is looked up when needed. */
    public static FlinkInputFile of(Path path) throws IOException {
        return new FlinkInputFile(path.getFileSystem(), path, -1);
    }

    /**
     * An input file whose length is known.
     *
     * @param length the file's length in bytes, as recorded when it was written
     */
    public static FlinkInputFile of(FileSystem fileSystem, Path path, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("Cannot open " + path + ": negative length");
        }
        return new FlinkInputFile(fileSystem, path, length);
    }

    public Path path() {
        return path;
    }

    @Override
    public long getLength() throws IOException {
        if (length < 0) {
            length = fileSystem.getFileStatus(path).getLen();
        }
        return length;
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
        return new SeekableFlinkStream(fileSystem.open(path));
    }

    @Override
    public String toString() {
        return path.toString();
    }

    /**
     * Parquet's seekable stream over Flink's, through {@link BufferedFlinkStream}: Parquet reads
     * column indexes, offset indexes and bloom filter headers as Thrift straight from the stream, a
     * byte or a varint at a time, and Flink's local stream makes a system call per read.
     */
    private static final class SeekableFlinkStream extends DelegatingSeekableInputStream {
        private final BufferedFlinkStream in;

        SeekableFlinkStream(FSDataInputStream in) throws IOException {
            this(new BufferedFlinkStream(in));
        }

        private SeekableFlinkStream(BufferedFlinkStream in) {
            super(in);
            this.in = in;
        }

        @Override
        public long getPos() {
            return in.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
            in.seek(newPos);
        }
    }

    /**
     * A read buffer over a Flink stream that keeps its position: reads of fewer than {@value
     * #SMALL_READ} bytes (Thrift's field headers, varints and short values) are served from an
     * {@value #BUFFER_BYTES}-byte buffer filled ahead; larger reads (footers, column chunks, bloom
     * filter bitsets) take what the buffer holds and read the rest from the stream directly, so
     * that they read no byte more than asked; a seek within the buffered bytes moves in the buffer
     * only. Not thread-safe.
     */
    static final class BufferedFlinkStream extends InputStream {
        static final int BUFFER_BYTES = 8192;
        static final int SMALL_READ = 128;

        private final FSDataInputStream in;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private long bufferStart; // the stream position of buffer[0]; the stream is at +limit
        private int pos;
        private int limit;

        BufferedFlinkStream(FSDataInputStream in) throws IOException {
            this.in = in;
            this.bufferStart = in.getPos();
        }

        long position() {
            return bufferStart + pos;
        }

        void seek(long newPos) throws IOException {
            if (newPos >= bufferStart && newPos <= bufferStart + limit) {
                pos = (int) (newPos - bufferStart);
                return;
            }
            in.seek(newPos);
            bufferStart = newPos;
            pos = 0;
            limit = 0;
        }

        @Override
        public int read() throws IOException {
            if (pos == limit && !fill()) {
                return -1;
            }
            return buffer[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (pos == limit) {
                if (len >= SMALL_READ) {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        bufferStart += limit + n;
                        pos = 0;
                        limit = 0;
                    }
                    return n;
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buffer, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            seek(position() + n);
            return n;
        }

        @Override
        public int available() throws IOException {
            return limit - pos;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private boolean fill() throws IOException {
            bufferStart += limit;
            pos = 0;
            limit = 0;
            int n = in.read(buffer, 0, BUFFER_BYTES);
            if (n <= 0) {
                return false;
            }
            limit = n;
            return true;
        }
    }
}
