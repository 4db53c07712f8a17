package dev.tiered.state.cold;

import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local file system, counting the streams it opens and has seen closed and the bytes read, and
 * failing writes after a set number of bytes: proves that readers and writers close what they open
 * and clean up after failures.
 */
final class TrackingFileSystem extends FileSystem {
    private final FileSystem local = LocalFileSystem.getSharedInstance();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong readCalls = new AtomicLong();
    private final java.util.Set<String> syncedAndClosed =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile long failWritesAfterBytes = Long.MAX_VALUE;
    private volatile boolean failSyncs;

    /** Streams opened and not yet closed. */
    int openStreams() {
        return openStreams.get();
    }

    long bytesRead() {
        return bytesRead.get();
    }

    /** Read calls on the streams it opened (each one a system call on the local file system). */
    long readCalls() {
        return readCalls.get();
    }

    /** Paths of written files that were synced and then closed. */
    java.util.Set<String> syncedAndClosed() {
        return syncedAndClosed;
    }

    void failSyncs(boolean fail) {
        failSyncs = fail;
    }

    void failWritesAfter(long bytes) {
        failWritesAfterBytes = bytes;
    }

    @Override
    public FSDataOutputStream create(Path path, WriteMode mode) throws IOException {
        FSDataOutputStream out = local.create(path, mode);
        openStreams.incrementAndGet();
        return new FSDataOutputStream() {
            private long written;
            private boolean closed;
            private boolean synced;

            @Override
            public long getPos() throws IOException {
                return out.getPos();
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written + len > failWritesAfterBytes) {
                    throw new IOException("Injected write failure at byte " + written);
                }
                written += len;
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void sync() throws IOException {
                if (failSyncs) {
                    throw new IOException("Injected sync failure of " + path);
                }
                out.sync();
                synced = true;
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    openStreams.decrementAndGet();
                    if (synced) {
                        syncedAndClosed.add(path.getName());
                    }
                }
                out.close();
            }
        };
    }

    @Override
    public FSDataInputStream open(Path path) throws IOException {
        FSDataInputStream in = local.open(path);
        openStreams.incrementAndGet();
        return new FSDataInputStream() {
            private boolean closed;

            @Override
            public void seek(long desired) throws IOException {
                in.seek(desired);
            }

            @Override
            public long getPos() throws IOException {
                return in.getPos();
            }

            @Override
            public int read() throws IOException {
                readCalls.incrementAndGet();
                int b = in.read();
                if (b >= 0) {
                    bytesRead.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                readCalls.incrementAndGet();
                int n = in.read(b, off, len);
                if (n > 0) {
                    bytesRead.addAndGet(n);
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    openStreams.decrementAndGet();
                }
                in.close();
            }
        };
    }

    @Override
    public FSDataInputStream open(Path path, int bufferSize) throws IOException {
        return open(path);
    }

    @Override
    public Path getWorkingDirectory() {
        return local.getWorkingDirectory();
    }

    @Override
    public Path getHomeDirectory() {
        return local.getHomeDirectory();
    }

    @Override
    public URI getUri() {
        return local.getUri();
    }

    @Override
    public FileStatus getFileStatus(Path path) throws IOException {
        return local.getFileStatus(path);
    }

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len)
            throws IOException {
        return local.getFileBlockLocations(file, start, len);
    }

    @Override
    public FileStatus[] listStatus(Path path) throws IOException {
        return local.listStatus(path);
    }

    @Override
    public boolean delete(Path path, boolean recursive) throws IOException {
        return local.delete(path, recursive);
    }

    @Override
    public boolean mkdirs(Path path) throws IOException {
        return local.mkdirs(path);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        return local.rename(src, dst);
    }

    @Override
    public boolean isDistributedFS() {
        return false;
    }
}
