package dev.tiered.source.testing;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local file system under the scheme {@code tracking://}, recording every file opened for
 * reading and counting the bytes read: tests assert which files a read touched. Registered as a
 * {@link FileSystemFactory} service; tests call {@code FileSystem.initialize(conf, null)} first.
 */
public final class TrackingFileSystem extends LocalFileSystem {
    public static final String SCHEME = "tracking";
    private static final List<String> OPENED = new CopyOnWriteArrayList<>();
    private static final AtomicLong BYTES_READ = new AtomicLong();

    /** The URI of a local directory under this scheme. */
    public static String uriOf(java.io.File dir) {
        return SCHEME + "://" + dir.getAbsolutePath();
    }

    /** Absolute local paths of the files opened since the last {@link #reset()}. */
    public static List<String> opened() {
        return List.copyOf(OPENED);
    }

    public static long bytesRead() {
        return BYTES_READ.get();
    }

    public static void reset() {
        OPENED.clear();
        BYTES_READ.set(0);
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public FSDataInputStream open(Path path, int bufferSize) throws IOException {
        return open(path);
    }

    @Override
    public FSDataInputStream open(Path path) throws IOException {
        OPENED.add(path.toUri().getPath());
        FSDataInputStream in = super.open(path);
        return new FSDataInputStream() {
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
                int b = in.read();
                if (b >= 0) {
                    BYTES_READ.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    BYTES_READ.addAndGet(n);
                }
                return n;
            }

            @Override
            public int available() throws IOException {
                return in.available();
            }

            @Override
            public long skip(long n) throws IOException {
                return in.skip(n);
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /** The factory of the {@code tracking} scheme. */
    public static final class Factory implements FileSystemFactory {
        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileSystem create(URI fsUri) {
            return new TrackingFileSystem();
        }
    }
}
