package dev.tiered.state.io;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@link TableFileIO} over Flink's {@link FileSystem}, so every file system Flink knows works by
 * URI. Create-if-absent is done per kind of storage:
 *
 * <ul>
 *   <li>local: write a hidden temp file, then hard-link it to the target ({@code link(2)} fails if
 *       the target exists, atomically), then delete the temp file;
 *   <li>HDFS and other file systems with rename-no-overwrite semantics: temp file + rename, which
 *       fails when the target exists;
 *   <li>S3 ({@code s3://}, {@code s3a://}): one {@code PutObject} with {@code If-None-Match: *}
 *       through the AWS SDK ({@link S3ConditionalPut}), configured from the same {@code s3.*} keys
 *       as Flink's S3 plugin ({@link S3Settings}); everything else goes through the plugin;
 *   <li>other object stores: refused (a plain put would overwrite a concurrent commit).
 * </ul>
 *
 * <p>On object stores nothing is renamed or synced: {@link #overwrite} is one put, visible whole
 * when its stream closes.
 */
public final class FlinkFileIO implements TableFileIO {

    /** Null: the cluster's configuration, read when an S3 commit first needs it. */
    private final S3Settings s3;

    /**
     * A file IO whose S3 settings come from the process's Flink configuration ({@code
     * $FLINK_CONF_DIR/config.yaml}), as on every JobManager, TaskManager and SQL gateway of a
     * cluster.
     */
    public FlinkFileIO() {
        this.s3 = null;
    }

    /**
     * A file IO whose S3 settings come from {@code flinkConfig} (the {@code s3.*} keys of Flink's
     * S3 plugin): for processes without a cluster configuration, such as tests and tools.
     */
    public FlinkFileIO(Configuration flinkConfig) {
        this.s3 = S3Settings.of(flinkConfig);
    }

    @Override
    public boolean createIfAbsent(Path path, byte[] content) throws IOException {
        if (ObjectStores.isS3(path)) {
            return S3ConditionalPut.putIfAbsent(
                    s3 != null ? s3 : S3Settings.ofCluster(), path, content);
        }
        if (ObjectStores.isObjectStore(path)) {
            throw new IOException(
                    "Cannot create "
                            + path
                            + " if absent: conditional writes to '"
                            + ObjectStores.scheme(path)
                            + "' are not supported (use s3:// or s3a:// with flink-s3-fs-hadoop,"
                            + " or a file system with atomic rename)");
        }
        FileSystem fs = path.getFileSystem();
        if (fs.exists(path)) {
            return false;
        }
        Path temp = tempSibling(path);
        writeFully(fs, temp, content);
        try {
            if (!fs.isDistributedFS()) {
                return linkLocal(temp, path);
            }
            return fs.rename(temp, path);
        } finally {
            deleteQuietly(fs, temp);
        }
    }

    @Override
    public void overwrite(Path path, byte[] content) throws IOException {
        FileSystem fs = path.getFileSystem();
        if (ObjectStores.isObjectStore(path)) {
            // One put: readers see the old object or the new one, never a part (and a rename
            // would be a copy plus a delete, with nothing at the path in between).
            try (FSDataOutputStream out = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
                out.write(content);
            }
            return;
        }
        Path temp = tempSibling(path);
        writeFully(fs, temp, content);
        try {
            if (!fs.isDistributedFS()) {
                Files.move(
                        localFile(temp).toPath(),
                        localFile(path).toPath(),
                        StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } else {
                fs.delete(path, false);
                if (!fs.rename(temp, path)) {
                    throw new IOException("Cannot overwrite " + path + ": rename failed");
                }
            }
        } finally {
            deleteQuietly(fs, temp);
        }
    }

    @Override
    public byte[] read(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        try (FSDataInputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }

    @Override
    public boolean exists(Path path) throws IOException {
        return path.getFileSystem().exists(path);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            return List.of();
        }
        FileStatus[] statuses = listStatus(fs, dir);
        List<String> names = new ArrayList<>(statuses == null ? 0 : statuses.length);
        if (statuses != null) {
            for (FileStatus status : statuses) {
                names.add(status.getPath().getName());
            }
        }
        return names;
    }

    /**
     * Lists a directory whose files come and go: a local file system lists names, then reads each
     * one's status, and fails if a file vanished in between (a temp file renamed into place by a
     * concurrent commit). Such a listing is simply taken again.
     */
    private static FileStatus[] listStatus(FileSystem fs, Path dir) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return fs.listStatus(dir);
            } catch (FileNotFoundException vanished) {
                if (attempt >= 10 || !fs.exists(dir)) {
                    throw vanished;
                }
            }
        }
    }

    @Override
    public boolean delete(Path path) throws IOException {
        return path.getFileSystem().delete(path, true);
    }

    @Override
    public long length(Path path) throws IOException {
        return path.getFileSystem().getFileStatus(path).getLen();
    }

    @Override
    public long modifiedMillis(Path path) throws IOException {
        return path.getFileSystem().getFileStatus(path).getModificationTime();
    }

    private static void writeFully(FileSystem fs, Path path, byte[] content) throws IOException {
        try (FSDataOutputStream out = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
            out.write(content);
            out.sync();
        }
    }

    private static boolean linkLocal(Path temp, Path target) throws IOException {
        try {
            Files.createLink(localFile(target).toPath(), localFile(temp).toPath());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    private static File localFile(Path path) {
        return new File(path.toUri().getPath());
    }

    /** A hidden name beside the target: readers and listings of data files skip dot-files. */
    private static Path tempSibling(Path path) {
        return new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
    }

    private static void deleteQuietly(FileSystem fs, Path path) {
        try {
            fs.delete(path, false);
        } catch (IOException ignored) {
            // an unreferenced temp file; orphan cleanup removes it
        }
    }
}
