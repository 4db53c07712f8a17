package dev.tiered.state.cold;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

import java.io.IOException;
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

    /** Parquet's seekable stream over Flink's: position and seek go to the Flink stream. */
    private static final class SeekableFlinkStream extends DelegatingSeekableInputStream {
        private final FSDataInputStream in;

        SeekableFlinkStream(FSDataInputStream in) {
            super(in);
            this.in = in;
        }

        @Override
        public long getPos() throws IOException {
            return in.getPos();
        }

        @Override
        public void seek(long newPos) throws IOException {
            in.seek(newPos);
        }
    }
}
