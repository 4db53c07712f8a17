package dev.tiered.state.maint;

import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.cold.BatchFile;
import dev.tiered.state.cold.BatchWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Writes a sorted stream of versions (a merge) as new batches of one scope, rolling to a new file
 * every {@code rowsPerFile} rows so that files land near the target size. New files get fresh
 * {@code batch-<id>.parquet} names no other attempt uses; until a commit lists them they are
 * invisible. If writing fails, the files written so far are deleted (best effort: what is left is
 * an orphan that orphan cleanup removes).
 */
final class BatchRewriter {
    /** Every maintenance process names its files with ids of this writer number. */
    static final int MAINTENANCE_WRITER_ID = SnowflakeIds.MAX_WRITER_ID;

    /** How many fresh names to try when each one is taken already. */
    static final int MAX_NAME_ATTEMPTS = 1000;

    /** What a rewrite wrote. */
    record Output(
            List<SegmentEntry> segments,
            List<Path> files,
            long rowsRead,
            long rowsWritten,
            long tombstonesDropped,
            long maxDroppedTombstoneSeq) {}

    private BatchRewriter() {}

    /** Estimates rows per file from the inputs: their bytes per row, scaled to the target size. */
    static long rowsPerFile(long inputRows, long inputBytes, long targetBytes) {
        if (inputRows <= 0 || inputBytes <= 0) {
            return Long.MAX_VALUE;
        }
        double bytesPerRow = (double) inputBytes / inputRows;
        return Math.max(1, (long) (targetBytes / bytesPerRow));
    }

    /**
     * @param source versions in key order, one per key (a merge); closed by the caller
     * @param expectedRows about how many rows the source holds (sizes the key bloom filters)
     * @param dropTombstone which tombstones (by {@code _seq}) may be left out
     */
    static Output write(
            ChangeCursor source,
            TableDefinition table,
            ScopeId scope,
            Path dir,
            long rowsPerFile,
            long expectedRows,
            LongPredicate dropTombstone,
            BatchWriter.Options writerOptions,
            Clock clock)
            throws IOException {
        SnowflakeIds ids = new SnowflakeIds(MAINTENANCE_WRITER_ID, clock);
        List<SegmentEntry> segments = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        long read = 0;
        long written = 0;
        long dropped = 0;
        long maxDropped = Long.MIN_VALUE;
        BatchWriter writer = null;
        try {
            while (source.next()) {
                read++;
                if (source.op() == ChangeOp.DELETE && dropTombstone.test(source.seq())) {
                    dropped++;
                    maxDropped = Math.max(maxDropped, source.seq());
                    continue;
                }
                if (writer != null && writer.rowCount() >= rowsPerFile) {
                    segments.add(finish(writer, table, clock));
                    writer = null;
                }
                if (writer == null) {
                    writer =
                            createUnique(
                                    dir,
                                    ids,
                                    table,
                                    scope,
                                    writerOptions.withExpectedRows(
                                            Math.max(1, Math.min(rowsPerFile, expectedRows))),
                                    files);
                }
                writer.write(source.row(), source.seq(), source.op());
                written++;
            }
            if (writer != null) {
                segments.add(finish(writer, table, clock));
                writer = null;
            }
            return new Output(segments, files, read, written, dropped, maxDropped);
        } catch (IOException | RuntimeException e) {
            if (writer != null) {
                writer.close(); // deletes its partial file
            }
            deleteQuietly(files, e);
            throw e;
        }
    }

    /**
     * Creates a new batch under a fresh id; another process naming a file in the same millisecond
     * makes the create fail, and the next id is tried. Only files this call created are added to
     * {@code files} (and so only those are ever deleted on failure).
     */
    private static BatchWriter createUnique(
            Path dir,
            SnowflakeIds ids,
            TableDefinition table,
            ScopeId scope,
            BatchWriter.Options options,
            List<Path> files)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path file = new Path(dir, "batch-" + ids.nextId() + ".parquet");
            try {
                BatchWriter writer = BatchWriter.create(file, table, scope, options);
                files.add(file);
                return writer;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= MAX_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static SegmentEntry finish(BatchWriter writer, TableDefinition table, Clock clock)
            throws IOException {
        try (writer) {
            BatchFile file = writer.finish();
            return Segments.entry(file, table, clock.millis());
        }
    }

    /** Deletes files a failed or refused rewrite wrote; failures are attached to {@code cause}. */
    static void deleteQuietly(List<Path> files, Exception cause) {
        for (Path file : files) {
            try {
                file.getFileSystem().delete(file, false);
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
