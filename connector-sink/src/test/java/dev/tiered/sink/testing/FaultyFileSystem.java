package dev.tiered.sink.testing;

import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The local file system under the scheme {@code faulty://}, which fails at chosen points: when a
 * file whose path matches a pattern is created, or in the middle of writing it (after its first
 * bytes reached the disk, so a partial file stays behind). A job whose table lives under {@code
 * faulty:///<dir>} runs on real files and fails where a test says, in whichever task touches the
 * file; faults are static because the file system is a JVM-wide singleton, as Flink's are.
 *
 * <p>Registered for Flink's {@link FileSystem} through {@code META-INF/services}.
 */
public final class FaultyFileSystem extends FileSystem {
    public static final String SCHEME = "faulty";

    private static final List<Fault> FAULTS = new CopyOnWriteArrayList<>();
    private static final FaultyFileSystem INSTANCE = new FaultyFileSystem();

    private final LocalFileSystem local = LocalFileSystem.getSharedInstance();

    /** Where in a file's life the fault fires. */
    public enum Stage {
        /** When the file is created: nothing is written. */
        CREATE,
        /** On the first write after some bytes were written: a partial file stays. */
        MID_WRITE
    }

    /** What the fault throws. */
    public enum Kind {
        /** An {@link IOException}, as a failing disk or network gives. */
        IO,
        /**
         * An {@link Error} that no {@code catch (IOException | RuntimeException)} absorbs: the task
         * dies at that point as if its process were killed.
         */
        KILL
    }

    /** One armed fault: fires once, at the {@code nth} matching event. */
    public static final class Fault {
        private final Pattern path;
        private final Stage stage;
        private final Kind kind;
        private final Predicate<String> enabled;
        private int remaining;
        private volatile String firedAt;

        private Fault(Pattern path, Stage stage, Kind kind, int nth, Predicate<String> enabled) {
            this.path = path;
            this.stage = stage;
            this.kind = kind;
            this.remaining = nth;
            this.enabled = enabled;
        }

        /** The path the fault fired at, or null if it has not fired. */
        public String firedAt() {
            return firedAt;
        }

        private synchronized boolean matches(String file, Stage at) {
            if (firedAt != null || at != stage || !path.matcher(file).find()) {
                return false;
            }
            if (!enabled.test(file) || --remaining > 0) {
                return false;
            }
            firedAt = file;
            return true;
        }

        private void fire(String file) throws IOException {
            String message = "Injected fault (" + stage + ") at " + file;
            if (kind == Kind.KILL) {
                throw new InjectedKill(message);
            }
            throw new IOException(message);
        }
    }

    /** The error of a {@link Kind#KILL} fault. */
    public static final class InjectedKill extends Error {
        private static final long serialVersionUID = 1L;

        InjectedKill(String message) {
            super(message);
        }
    }

    /**
     * Arms a fault at the {@code nth} (1-based) event of {@code stage} on a path matching {@code
     * regex} for which {@code enabled} holds.
     */
    public static Fault inject(
            String regex, Stage stage, Kind kind, int nth, Predicate<String> enabled) {
        Fault fault = new Fault(Pattern.compile(regex), stage, kind, nth, enabled);
        FAULTS.add(fault);
        return fault;
    }

    public static void clear() {
        FAULTS.clear();
    }

    /** The {@code faulty://} URI of a local directory. */
    public static String uri(java.io.File dir) {
        return SCHEME + "://" + dir.toURI().getPath();
    }

    private static void check(Path path, Stage stage) throws IOException {
        String file = path.toUri().getPath();
        for (Fault fault : FAULTS) {
            if (fault.matches(file, stage)) {
                fault.fire(file);
            }
        }
    }

    private static Path toLocal(Path path) {
        return new Path("file", null, path.toUri().getPath());
    }

    private static Path fromLocal(Path path) {
        return new Path(SCHEME, null, path.toUri().getPath());
    }

    @Override
    public Path getWorkingDirectory() {
        return fromLocal(local.getWorkingDirectory());
    }

    @Override
    public Path getHomeDirectory() {
        return fromLocal(local.getHomeDirectory());
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public FileStatus getFileStatus(Path path) throws IOException {
        return new Status(local.getFileStatus(toLocal(path)));
    }

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len)
            throws IOException {
        return local.getFileBlockLocations(((Status) file).delegate, start, len);
    }

    @Override
    public FSDataInputStream open(Path path, int bufferSize) throws IOException {
        return local.open(toLocal(path), bufferSize);
    }

    @Override
    public FSDataInputStream open(Path path) throws IOException {
        return local.open(toLocal(path));
    }

    @Override
    public FileStatus[] listStatus(Path path) throws IOException {
        FileStatus[] statuses = local.listStatus(toLocal(path));
        if (statuses == null) {
            return null;
        }
        List<FileStatus> wrapped = new ArrayList<>(statuses.length);
        for (FileStatus status : statuses) {
            wrapped.add(new Status(status));
        }
        return wrapped.toArray(new FileStatus[0]);
    }

    @Override
    public boolean delete(Path path, boolean recursive) throws IOException {
        return local.delete(toLocal(path), recursive);
    }

    @Override
    public boolean mkdirs(Path path) throws IOException {
        return local.mkdirs(toLocal(path));
    }

    @Override
    public FSDataOutputStream create(Path path, WriteMode overwrite) throws IOException {
        check(path, Stage.CREATE);
        return new FaultyOutputStream(path, local.create(toLocal(path), overwrite));
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        return local.rename(toLocal(src), toLocal(dst));
    }

    @Override
    public boolean isDistributedFS() {
        return false;
    }

    /** A local status that reports {@code faulty://} paths. */
    private static final class Status implements FileStatus {
        private final FileStatus delegate;

        Status(FileStatus delegate) {
            this.delegate = delegate;
        }

        @Override
        public long getLen() {
            return delegate.getLen();
        }

        @Override
        public long getBlockSize() {
            return delegate.getBlockSize();
        }

        @Override
        public short getReplication() {
            return delegate.getReplication();
        }

        @Override
        public long getModificationTime() {
            return delegate.getModificationTime();
        }

        @Override
        public long getAccessTime() {
            return delegate.getAccessTime();
        }

        @Override
        public boolean isDir() {
            return delegate.isDir();
        }

        @Override
        public Path getPath() {
            return fromLocal(delegate.getPath());
        }
    }

    private static final class FaultyOutputStream extends FSDataOutputStream {
        private final Path path;
        private final FSDataOutputStream out;

        FaultyOutputStream(Path path, FSDataOutputStream out) {
            this.path = path;
            this.out = out;
        }

        private void beforeWrite() throws IOException {
            if (out.getPos() > 0) {
                out.flush();
                check(path, Stage.MID_WRITE);
            }
        }

        @Override
        public void write(int b) throws IOException {
            beforeWrite();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            // Written in two halves, so that even a file written in one call can break off midway.
            int half = len / 2;
            if (half > 0) {
                beforeWrite();
                out.write(b, off, half);
            }
            beforeWrite();
            out.write(b, off + half, len - half);
        }

        @Override
        public long getPos() throws IOException {
            return out.getPos();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void sync() throws IOException {
            out.sync();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Flink's factory for the scheme. */
    public static final class Factory implements FileSystemFactory {
        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileSystem create(URI fsUri) {
            return INSTANCE;
        }
    }
}
