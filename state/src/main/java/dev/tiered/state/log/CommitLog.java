package dev.tiered.state.log;

import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.layout.StorageLayout;
import dev.tiered.state.meta.CommitRecord;
import dev.tiered.state.meta.CommitRecordParser;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.meta.TableStateParser;

import org.apache.flink.core.fs.Path;
import org.apache.flink.table.types.logical.LogicalType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table's commit log, {@code _log/}: one immutable {@code <N>.json} per commit, a folded {@code
 * <N>.checkpoint.json} every {@code checkpointInterval} commits, and a {@code _latest} hint.
 *
 * <p>Finding the latest commit reads the hint and probes forward (the hint may lag; it is only a
 * starting point); loading a state reads the nearest checkpoint at or below it and replays fewer
 * than {@code checkpointInterval} commits, so the cost does not grow with the log. Thread-safe; the
 * last loaded state is cached.
 */
public final class CommitLog {
    private static final Logger LOG = LoggerFactory.getLogger(CommitLog.class);
    private static final Pattern COMMIT_FILE = Pattern.compile("(\\d{20})\\.json");
    private static final Pattern CHECKPOINT_FILE = Pattern.compile("(\\d{20})\\.checkpoint\\.json");
    private static final String LATEST_HINT = "_latest";

    /** The operation of a commit that erases users (see {@code dev.tiered.state.maint}). */
    public static final String ERASE_USER = "erase_user";

    private final TableFileIO io;
    private final StorageLayout layout;
    private final IntFunction<LogicalType> columnTypes;
    private final int checkpointInterval;
    private final int initialSchemaVersion;

    private volatile TableState cached;
    // The state one commit before `cached` (null if unknown) and the last record read or written:
    // right after a commit, its committer writes every changed scope's manifest, each derived from
    // that record and the scope's previous version, so both are asked for once per scope.
    private volatile TableState previous;
    private volatile CommitRecord lastRecord;

    public CommitLog(
            TableFileIO io,
            StorageLayout layout,
            IntFunction<LogicalType> columnTypes,
            int checkpointInterval,
            int initialSchemaVersion) {
        if (checkpointInterval < 1) {
            throw new IllegalArgumentException("Cannot open commit log: checkpoint interval < 1");
        }
        this.io = io;
        this.layout = layout;
        this.columnTypes = columnTypes;
        this.checkpointInterval = checkpointInterval;
        this.initialSchemaVersion = initialSchemaVersion;
        this.cached = TableState.empty(initialSchemaVersion);
    }

    public Path commitFile(long commit) {
        return layout.commitFile(commit);
    }

    public Path checkpointFile(long commit) {
        return new Path(layout.logDir(), String.format("%020d.checkpoint.json", commit));
    }

    /** The number of the newest commit, 0 if there is none. */
    public long latestCommit() throws IOException {
        long start = Math.max(readHint(), cached.commit());
        if (start > 0 && !io.exists(commitFile(start))) {
            start = newestListed();
        }
        long latest = start;
        while (io.exists(commitFile(latest + 1))) {
            latest++;
        }
        return latest;
    }

    /** The table at the newest commit. */
    public TableState latestState() throws IOException {
        return stateAt(latestCommit());
    }

    /**
     * The table at commit {@code commit}: the fold of commits 1..commit.
     *
     * @throws FileNotFoundException if a commit it needs is missing (expired)
     */
    public TableState stateAt(long commit) throws IOException {
        TableState before = previous;
        if (before != null && before.commit() == commit) {
            return before;
        }
        TableState base = cached;
        boolean fromCache = true;
        if (base.commit() > commit || commit - base.commit() >= checkpointInterval) {
            TableState checkpoint = nearestCheckpoint(commit);
            if (base.commit() > commit || checkpoint.commit() > base.commit()) {
                base = checkpoint;
                fromCache = false;
            }
        }
        TableState state = base;
        for (long n = base.commit() + 1; n <= commit; n++) {
            CommitRecord record = read(n);
            if (fromCache && base.commit() > 0 && ERASE_USER.equals(record.operation())) {
                // erase_user rewrites the log before it without the user: a state cached from
                // before the rewrite may still hold the user's scope, so fold from the files.
                state = nearestCheckpoint(commit);
                for (long m = state.commit() + 1; m <= commit; m++) {
                    state = state.apply(readFile(m));
                }
                break;
            }
            state = state.apply(record);
        }
        remember(state);
        return state;
    }

    // synchronized: a sink's committer and its background maintenance share one log
    private synchronized void remember(TableState state) {
        TableState current = cached;
        if (state.commit() == current.commit() + 1) {
            previous = current;
            cached = state;
        } else if (state.commit() >= current.commit() && state != current) {
            previous = null;
            cached = state;
        }
    }

    public int checkpointInterval() {
        return checkpointInterval;
    }

    /** Whether commit {@code commit}'s log checkpoint exists. */
    public boolean hasCheckpoint(long commit) throws IOException {
        return io.exists(checkpointFile(commit));
    }

    /** The log checkpoint of commit {@code commit}: the folded state. */
    public TableState readCheckpoint(long commit) throws IOException {
        return TableStateParser.fromJson(io.read(checkpointFile(commit)));
    }

    /** The numbers of the commit files present, ascending (expiry removes the oldest). */
    public List<Long> listCommits() throws IOException {
        List<Long> commits = new ArrayList<>();
        for (String name : io.list(layout.logDir())) {
            Matcher m = COMMIT_FILE.matcher(name);
            if (m.matches()) {
                commits.add(Long.parseLong(m.group(1)));
            }
        }
        Collections.sort(commits);
        return commits;
    }

    /** The numbers of the log checkpoints present, ascending. */
    public List<Long> listCheckpoints() throws IOException {
        List<Long> commits = new ArrayList<>();
        for (String name : io.list(layout.logDir())) {
            Matcher m = CHECKPOINT_FILE.matcher(name);
            if (m.matches()) {
                commits.add(Long.parseLong(m.group(1)));
            }
        }
        Collections.sort(commits);
        return commits;
    }

    /**
     * Drops the cached state, so the next load folds from the files (after the log was rewritten).
     */
    public void forget() {
        cached = TableState.empty(initialSchemaVersion);
        previous = null;
        lastRecord = null;
    }

    /** Commit {@code commit}'s record. */
    public CommitRecord read(long commit) throws IOException {
        CommitRecord last = lastRecord;
        if (last != null && last.commit() == commit) {
            return last;
        }
        return readFile(commit);
    }

    private CommitRecord readFile(long commit) throws IOException {
        CommitRecord record = CommitRecordParser.fromJson(io.read(commitFile(commit)), columnTypes);
        lastRecord = record;
        return record;
    }

    /** The serialized form a commit record is stored in. */
    public byte[] serialize(CommitRecord record) {
        return CommitRecordParser.toJson(record, columnTypes);
    }

    /** {@link #committed(TableState)} of a commit this process wrote with {@code record}. */
    public void committed(TableState state, CommitRecord record) {
        lastRecord = record;
        committed(state);
    }

    /**
     * After a successful commit: remember the new state, and write the log checkpoint (every {@code
     * checkpointInterval} commits) and the hint. Best effort: a failure here loses nothing, readers
     * fall back to an older checkpoint and to probing.
     */
    public void committed(TableState state) {
        remember(state);
        try {
            if (state.commit() % checkpointInterval == 0) {
                io.createIfAbsent(checkpointFile(state.commit()), TableStateParser.toJson(state));
            }
            io.overwrite(
                    new Path(layout.logDir(), LATEST_HINT),
                    Long.toString(state.commit()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Could not write log checkpoint or hint for commit {} of {}; readers will replay",
                    state.commit(),
                    layout.tableDir(),
                    e);
        }
    }

    private TableState nearestCheckpoint(long commit) throws IOException {
        for (long c = (commit / checkpointInterval) * checkpointInterval;
                c > 0;
                c -= checkpointInterval) {
            Path file = checkpointFile(c);
            if (io.exists(file)) {
                return TableStateParser.fromJson(io.read(file));
            }
        }
        return TableState.empty(initialSchemaVersion);
    }

    private long readHint() {
        try {
            Path hint = new Path(layout.logDir(), LATEST_HINT);
            if (!io.exists(hint)) {
                return 0;
            }
            return Long.parseLong(new String(io.read(hint), StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private long newestListed() throws IOException {
        long newest = 0;
        for (String name : io.list(layout.logDir())) {
            Matcher m = COMMIT_FILE.matcher(name);
            if (m.matches()) {
                newest = Math.max(newest, Long.parseLong(m.group(1)));
            }
        }
        return newest;
    }
}
