package dev.tiered.state.cold;

import dev.tiered.state.io.ObjectStores;

import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;

/**
 * A Parquet {@link OutputFile} over Flink's {@link FileSystem}, so that Parquet writes to {@code
 * file://}, {@code s3://} and every other Flink file system by URI (Flink's own adapter is
 * package-private).
 *
 * <p>{@link #create} refuses to overwrite an existing file; {@link #createOrOverwrite} replaces it.
 * The stream it opens belongs to whoever writes through it (Parquet's file writer closes it at the
 * end of the file); {@link #abort()} closes it early and quietly, for failure paths. One output
 * file opens at most one stream. Not thread-safe.
 */
public final class FlinkOutputFile implements OutputFile {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkOutputFile.class);

    /** Writes go through a buffer of this size: Flink's local stream is unbuffered. */
    static final int BUFFER_SIZE = 64 * 1024;

    private final FileSystem fileSystem;
    private final Path path;
    private final FileSyncs syncs;
    private CountingOutputStream stream;

    public FlinkOutputFile(FileSystem fileSystem, Path path) {
        this(fileSystem, path, null);
    }

    /**
     * @param syncs where the stream goes at close to be synced and closed in the background, or
     *     null to sync and close it in {@code close()}
     */
    public FlinkOutputFile(FileSystem fileSystem, Path path, FileSyncs syncs) {
        this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
        this.path = Objects.requireNonNull(path, "path");
        this.syncs = syncs;
    }

    /** An output file on the file system of the path's URI. */
    public static FlinkOutputFile of(Path path) throws IOException {
        return new FlinkOutputFile(path.getFileSystem(), path);
    }

    public Path path() {
        return path;
    }

    public FileSystem fileSystem() {
        return fileSystem;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
        return open(FileSystem.WriteMode.NO_OVERWRITE);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        return open(FileSystem.WriteMode.OVERWRITE);
    }

    /** Opens the one stream of this file; also the entry point of non-Parquet writers (Avro). */
    CountingOutputStream open(FileSystem.WriteMode mode) throws IOException {
        if (stream != null) {
            throw new IllegalStateException("Cannot open " + path + " twice");
        }
        boolean objectStore = ObjectStores.isObjectStore(path);
        stream =
                new CountingOutputStream(
                        fileSystem.create(path, mode),
                        // an object has nothing to sync: close() uploads it
                        objectStore ? null : syncs,
                        path.toString(),
                        objectStore);
        return stream;
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return path.toString();
    }

    /** Whether the stream was opened (and so the file created by this output file). */
    public boolean isOpened() {
        return stream != null;
    }

    /**
     * The number of bytes written so far; after the stream is closed, the length of the file. Zero
     * before the stream is opened.
     */
    public long bytesWritten() {
        return stream == null ? 0 : stream.count;
    }

    /**
     * Closes the stream if it is open, without throwing: for failure paths. Later writes to the
     * stream fail. Returns the close error, or null.
     */
    public IOException abort() {
        if (stream == null) {
            return null;
        }
        return stream.abort();
    }

    /**
     * Deletes the file, for failure paths: best effort, never throws. A file left behind is an
     * orphan no manifest names; the error is logged and attached to {@code cause} if given.
     */
    public void deleteQuietly(Exception cause) {
        try {
            fileSystem.delete(path, false);
        } catch (IOException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
            LOG.warn("Cannot delete partial file {}: left as an orphan", path, e);
        }
    }

    /**
     * Counts the bytes it passes to the Flink stream, so that {@link #getPos()} needs no call to
     * the file system and the file length is known at close. Buffered; close is idempotent.
     */
    static final class CountingOutputStream extends PositionOutputStream {
        private final FSDataOutputStream out;
        private final FileSyncs syncs;
        private final String path;
        private final boolean objectStore;
        private final byte[] buffer = new byte[BUFFER_SIZE];
        private int buffered;
        private long count;
        private boolean closed;

        CountingOutputStream(
                FSDataOutputStream out, FileSyncs syncs, String path, boolean objectStore) {
            this.out = out;
            this.syncs = syncs;
            this.path = path;
            this.objectStore = objectStore;
        }

        @Override
        public long getPos() {
            return count;
        }

        @Override
        public void write(int b) throws IOException {
            checkOpen();
            if (buffered == buffer.length) {
                flushBuffer();
            }
            buffer[buffered++] = (byte) b;
            count++;
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, bytes.length);
            checkOpen();
            if (len >= buffer.length) {
                flushBuffer();
                out.write(bytes, off, len);
            } else {
                if (len > buffer.length - buffered) {
                    flushBuffer();
                }
                System.arraycopy(bytes, off, buffer, buffered, len);
                buffered += len;
            }
            count += len;
        }

        @Override
        public void flush() throws IOException {
            flushBuffer();
            // On an object store Flink's flush() is Hadoop's hflush(), which S3A does not have
            // (it warns, or throws with fs.s3a.downgrade.syncable.exceptions=false); nothing is
            // visible there before close() uploads the object anyway.
            if (!objectStore) {
                out.flush();
            }
        }

        private void flushBuffer() throws IOException {
            checkOpen();
            if (buffered > 0) {
                out.write(buffer, 0, buffered);
                buffered = 0;
            }
        }

        private void checkOpen() throws IOException {
            if (closed) {
                throw new IOException("Cannot write to closed stream");
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            if (syncs != null) {
                try {
                    flushBuffer();
                } catch (IOException | RuntimeException e) {
                    abort();
                    throw e;
                }
                closed = true;
                // synced before any commit names the file: the owner of syncs awaits them
                syncs.syncAndClose(out, path);
                return;
            }
            try {
                flushBuffer();
                // A commit will name this file: its bytes must be on disk first, as Flink's
                // FileSink syncs a part file before committing it. An object store has no sync
                // (S3A warns, or throws with fs.s3a.downgrade.syncable.exceptions=false): the
                // object is durable once close() has uploaded it.
                if (!objectStore) {
                    out.sync();
                }
            } finally {
                closed = true;
                out.close();
            }
        }

        IOException abort() {
            if (closed) {
                return null;
            }
            closed = true;
            buffered = 0;
            try {
                out.close();
                return null;
            } catch (IOException e) {
                return e;
            }
        }
    }
}
