package dev.tiered.sink.internal;

import dev.tiered.sink.RowConverter;
import dev.tiered.sink.SinkOptions;
import dev.tiered.state.BadRowException;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.FlushPolicy;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableType;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.HotSegmentCompression;
import dev.tiered.state.cold.HotSegmentFile;
import dev.tiered.state.cold.HotSegmentWriter;
import dev.tiered.state.cold.Segments;
import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotStoreOptions;
import dev.tiered.state.hot.HotTable;
import dev.tiered.state.hot.ScopeStats;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.meta.HotSegmentRef;
import dev.tiered.state.meta.SegmentEntry;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.seq.SnowflakeIds;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.IOUtils;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The write path of DESIGN §5 for one subtask. Each change goes into the RocksDB hot store (newest
 * {@code _seq} per key) and into the checkpoint's hot segment. Before each checkpoint barrier
 * ({@link #prepareCommit}) it closes the hot segment and flushes every scope whose FLUSH_POLICY is
 * due (or all of them at end of input, or the largest ones past {@code hot.max-bytes}) into a
 * Parquet batch; the delta goes to the committer. Rows leave the hot store only once the log shows
 * their flush committed ({@link LogSync}).
 *
 * <p>Restore: the store is rebuilt from the committed hot segments, keeping the changes this
 * subtask is routed and that are above their scope's flushed-through bound — so a restart, a
 * rescale or a new job all start from the table itself. Single-threaded (Flink's mailbox).
 */
@Internal
final class TieredSinkWriter<IN>
        implements StatefulSinkWriter<IN, WriterState>, CommittingSinkWriter<IN, CommitDelta> {
    private static final Logger LOG = LoggerFactory.getLogger(TieredSinkWriter.class);

    private final RowConverter<IN> converter;
    private final SinkConfig config;
    private final TableDefinition definition;
    private final TieredTable table;
    private final Clock clock;
    private final SnowflakeIds ids;
    private final RowPreparer preparer;
    private final HotStore store;
    private final HotTable hot;
    private final LogSync sync;
    private final DeadLetters deadLetters;
    private final String filePrefix;
    private final FlushPolicy policy;
    private final Counter recordsOut;
    private final Counter rejected;
    private final Counter flushes;
    private final Counter flushedBytes;

    /** Writes the flushes (on its own thread) while this writer goes on. */
    private final BackgroundFlusher flusher;

    private HotSegmentWriter segment;
    private Set<ScopeId> preparedScopes = new HashSet<>();
    private int segmentCount;
    private boolean flushAll;
    private boolean endOfInput;

    TieredSinkWriter(
            TableHandle handle,
            RowConverter<IN> converter,
            SinkConfig config,
            WriterInitContext context,
            Collection<WriterState> restored)
            throws IOException {
        this.converter = converter;
        this.config = config;
        this.definition = handle.definition();
        this.table = handle.open();
        this.clock = config.clock().get();
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        TableState start = table.latestState();
        long floor = Math.max(start.maxSeq(), maxSeq(restored));
        this.ids = new SnowflakeIds(subtask % (SnowflakeIds.MAX_WRITER_ID + 1), clock, floor);
        this.preparer = new RowPreparer(definition, ids, clock);
        this.filePrefix =
                context.getJobInfo().getJobId()
                        + "-"
                        + subtask
                        + "-"
                        + context.getTaskInfo().getAttemptNumber();
        java.nio.file.Path dir =
                HotDirectories.newStoreDir(
                        HotDirectories.parent(config.hotLocalDirs(), subtask, System.getenv()),
                        definition.tableId(),
                        subtask);
        this.store = HotStore.open(dir, List.of(definition), HotStoreOptions.defaults(), clock);
        this.hot = store.table(definition.tableId());
        this.sync =
                new LogSync(
                        table,
                        hot,
                        new ScopeKeySelector(definition),
                        context.getTaskInfo().getNumberOfParallelSubtasks(),
                        subtask,
                        // the committer's writer id (CommitAggregator): job and table
                        context.getJobInfo().getJobId() + "/" + definition.tableId());
        this.deadLetters =
                new DeadLetters(table.layout().rejectedDir(), filePrefix, definition.rowType());
        this.policy = definition.options().flushPolicy();
        this.flusher = new BackgroundFlusher(definition.tableId(), subtask, clock);

        MetricGroup metrics = context.metricGroup();
        this.recordsOut = context.metricGroup().getNumRecordsSendCounter();
        this.rejected = metrics.counter("numRowsRejected");
        this.flushes = metrics.counter("numFlushes");
        this.flushedBytes = metrics.counter("numFlushedBytes");
        metrics.gauge("hotRows", hot::entryCount);
        metrics.gauge("hotBytes", hot::byteCount);
        metrics.gauge("lastFlushDurationMs", flusher::lastFlushMillis);

        sync.newlyErased(start); // learns the table's scopes
        long adopted = sync.adopt(start);
        LOG.info(
                "Tiered writer {} of {} started: {} hot rows adopted from the table, ids above {}",
                subtask,
                definition.tableId(),
                adopted,
                floor);
    }

    private static long maxSeq(Collection<WriterState> restored) {
        return restored.stream().mapToLong(WriterState::lastSeq).max().orElse(0);
    }

    @Override
    public void write(IN element, Context context) throws IOException {
        RowData row = converter.toRow(element);
        ChangeOp op;
        switch (row.getRowKind()) {
            case INSERT, UPDATE_AFTER -> op = ChangeOp.UPSERT;
            case DELETE -> op = ChangeOp.DELETE;
            default -> {
                return; // -U: the +U that follows carries the new row
            }
        }
        RowData prepared;
        try {
            if (op == ChangeOp.DELETE && definition.primaryKeyIndex() < 0) {
                throw new BadRowException(
                        definition.tableId(),
                        "*",
                        "cannot be deleted: the table has no primary key");
            }
            prepared = preparer.prepare(row, op == ChangeOp.DELETE);
        } catch (BadRowException e) {
            reject(e, row);
            return;
        }
        long seq = ids.nextId();
        ScopeId scope = preparer.scope();
        hot.apply(scope, seq, op, prepared);
        segment().write(scope, seq, op, prepared);
        recordsOut.inc();
    }

    private void reject(BadRowException error, RowData row) throws IOException {
        if (config.badRows() == SinkOptions.BadRowsMode.FAIL) {
            throw error;
        }
        rejected.inc();
        if (config.badRows() == SinkOptions.BadRowsMode.DEAD_LETTER) {
            deadLetters.write(definition.tableId(), error, row);
        }
    }

    private HotSegmentWriter segment() throws IOException {
        if (segment == null) {
            Path path =
                    new Path(table.layout().hotDir(), filePrefix + "-" + segmentCount++ + ".avro");
            segment = HotSegmentWriter.create(path, definition, HotSegmentCompression.DEFAULT);
        }
        return segment;
    }

    @Override
    public void flush(boolean endOfInput) {
        if (endOfInput) {
            this.endOfInput = true; // the last delta waits for every flush started
            flushAll = config.flushOnEndOfInput();
        }
    }

    @Override
    public Collection<CommitDelta> prepareCommit() throws IOException {
        TableState state = table.latestState(); // one look at the log per checkpoint
        Set<ScopeId> erased = new HashSet<>(sync.newlyErased(state));
        for (ScopeId scope : erased) {
            flusher.discard(scope);
            long dropped = hot.dropScope(scope);
            LOG.info(
                    "Dropped {} hot rows of erased scope {} of {}",
                    dropped,
                    scope,
                    definition.tableId());
        }
        sync.removeCommittedFlushes(state);
        sync.adopt(state);
        deadLetters.roll();
        List<HotSegmentRef> hotSegments = new ArrayList<>(1);
        if (segment != null) {
            HotSegmentFile file = segment.finish();
            segment = null;
            if (!Collections.disjoint(file.scopes(), erased)) {
                file = withoutScopes(file, erased);
            }
            if (file != null) {
                preparedScopes.addAll(file.scopes());
                HotSegmentRef ref = Segments.ref(file, filePrefix, -1);
                sync.written(ref.path());
                hotSegments.add(ref);
            }
        }
        Map<ScopeId, CommitDelta.ScopeFlush> flushed = new LinkedHashMap<>();
        if (definition.type() == TableType.STREAM) {
            hot.expire();
        } else {
            // Flushes of earlier checkpoints that are written and synced by now; at end of
            // input all of them, so that the last delta holds every flush.
            taken(flusher.takeFinished(endOfInput), flushed);
            for (ScopeStats scope : dueScopes()) {
                startFlush(state, scope.scope());
            }
            if (endOfInput) {
                taken(flusher.takeFinished(true), flushed);
            }
        }
        flushAll = false;
        return List.of(
                new CommitDelta(
                        "", -1, hotSegments, List.copyOf(flushed.values()), sync.basisCommit()));
    }

    /**
     * The segment without the changes of erased scopes (written before their erase reached this
     * writer), under a new name; null if nothing else is in it. The original is deleted.
     */
    private HotSegmentFile withoutScopes(HotSegmentFile file, Set<ScopeId> erased)
            throws IOException {
        Path source = new Path(table.layout().hotDir(), file.fileName());
        Path target =
                new Path(table.layout().hotDir(), filePrefix + "-" + segmentCount++ + ".avro");
        HotSegmentFile copy =
                Segments.copyHotSegment(definition, source, target, s -> !erased.contains(s));
        source.getFileSystem().delete(source, false);
        return copy;
    }

    /** Scopes due by policy (or all at end of input), plus the largest past hot.max-bytes. */
    private List<ScopeStats> dueScopes() {
        long now = clock.millis();
        List<ScopeStats> candidates = new ArrayList<>();
        List<ScopeStats> due = new ArrayList<>();
        long remainingBytes = hot.byteCount();
        for (ScopeStats stats : hot.scopeStats()) {
            // A scope whose last flush is not committed yet (or still being written) waits,
            // except at end of input: the job ends, so flush now what that flush does not hold.
            if (stats.isEmpty()
                    || flusher.isRunning(stats.scope())
                    || (!flushAll && sync.awaitingCommit(stats.scope()))) {
                continue;
            }
            if (flushAll
                    || (policy != null
                            && policy.isDue(stats.entries(), stats.oldestUnflushedMillis(), now))) {
                due.add(stats);
                remainingBytes -= stats.bytes();
            } else {
                candidates.add(stats);
            }
        }
        candidates.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        for (ScopeStats stats : candidates) {
            if (remainingBytes <= config.hotMaxBytes()) {
                break;
            }
            due.add(stats);
            remainingBytes -= stats.bytes();
        }
        return due;
    }

    /**
     * Opens a flush of the scope as it is now and hands it to the flush thread. From here on the
     * scope counts as awaiting a commit: no other flush of it starts before this one is committed
     * (or, at end of input, one that writes only what this one does not hold).
     */
    private void startFlush(TableState state, ScopeId scope) throws IOException {
        TieredTable.ScopePlacement placement = table.placeScope(state, scope);
        Path path = new Path(placement.dir(), "batch-" + ids.nextId() + ".parquet");
        ScopeFlusher flush =
                ScopeFlusher.open(
                        table,
                        hot,
                        scope,
                        path,
                        placement.storage(),
                        sync.flushedFloor(scope),
                        ids.nextId());
        sync.flushed(scope, flush.flushedThroughSeq());
        flusher.submit(flush);
    }

    /**
     * Adds finished flushes to the delta, keyed by scope. At end of input a scope may have two: the
     * one that was running and the one of what was written since; they become one change of the
     * scope.
     */
    private void taken(
            List<CommitDelta.ScopeFlush> finished, Map<ScopeId, CommitDelta.ScopeFlush> delta) {
        for (CommitDelta.ScopeFlush flush : finished) {
            flushes.inc();
            flushedBytes.inc(flush.added().get(0).sizeBytes());
            preparedScopes.add(flush.scope());
            delta.merge(flush.scope(), flush, TieredSinkWriter::both);
        }
    }

    private static CommitDelta.ScopeFlush both(
            CommitDelta.ScopeFlush first, CommitDelta.ScopeFlush second) {
        List<SegmentEntry> batches = new ArrayList<>(first.added());
        batches.addAll(second.added());
        return new CommitDelta.ScopeFlush(
                first.scope(),
                batches,
                Math.max(first.flushedThroughSeq(), second.flushedThroughSeq()),
                first.storage());
    }

    @Override
    public List<WriterState> snapshotState(long checkpointId) {
        // prepareCommit ran just before, for this checkpoint
        sync.prepared(checkpointId, preparedScopes);
        preparedScopes = new HashSet<>();
        return List.of(new WriterState(ids.nextId()));
    }

    @Override
    public void close() throws Exception {
        // the flusher stops before the store its cursors read from is closed
        IOUtils.closeAll(segment, deadLetters, flusher, store);
    }
}
