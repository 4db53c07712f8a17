package dev.tiered.state.io;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.List;

/**
 * The file operations the table engine needs, over any storage. The one operation with a contract
 * beyond a plain file system is {@link #createIfAbsent}: the commit point of the commit protocol.
 * Implementations are thread-safe. A test seam: tests wrap it to inject failures at named points.
 */
public interface TableFileIO {

    /**
     * Atomically creates {@code path} with {@code content} if no file exists there. Either the
     * whole content becomes visible under {@code path} or nothing does; a reader never sees a
     * partial file.
     *
     * @return true if this call created the file; false if a file already existed (which is left
     *     unchanged)
     * @throws IOException if the outcome is unknown (the caller settles it by reading back)
     */
    boolean createIfAbsent(Path path, byte[] content) throws IOException;

    /**
     * Writes {@code path}, replacing any existing file, atomically where the storage allows it
     * (local and HDFS: temp file + rename; object stores: a single put).
     */
    void overwrite(Path path, byte[] content) throws IOException;

    /** The whole content of a file. */
    byte[] read(Path path) throws IOException;

    boolean exists(Path path) throws IOException;

    /** Names (not paths) of the entries directly under {@code dir}; empty if it does not exist. */
    List<String> list(Path dir) throws IOException;

    /** Deletes a file or, recursively, a directory; true if something was deleted. */
    boolean delete(Path path) throws IOException;

    /** The length of a file in bytes. */
    long length(Path path) throws IOException;

    /**
     * When a file was last modified, in epoch milliseconds: orphan cleanup keeps files younger than
     * its grace period, because they may belong to an attempt still in flight.
     */
    long modifiedMillis(Path path) throws IOException;
}
