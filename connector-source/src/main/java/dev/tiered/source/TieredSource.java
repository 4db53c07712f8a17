package dev.tiered.source;

import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.enumerator.SplitPlanner;
import dev.tiered.source.internal.enumerator.TieredEnumerator;
import dev.tiered.source.internal.reader.SourceMetrics;
import dev.tiered.source.internal.reader.SplitCursors;
import dev.tiered.source.internal.reader.TieredRecordEmitter;
import dev.tiered.source.internal.reader.TieredSourceReader;
import dev.tiered.source.internal.reader.TieredSplitReader;
import dev.tiered.source.internal.split.EnumState;
import dev.tiered.source.internal.split.EnumStateSerializer;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.source.internal.split.TieredSplitSerializer;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SupportsSplitReassignmentOnRecovery;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FLIP-27 source of a tiered table (DESIGN §6): both tiers read as one table.
 *
 * <pre>
 * enumerator (JobManager): pins a commit ─▶ one snapshot split per scope (batches + live hot
 *            segments) ─▶ [unbounded] follows _log/: one changes split per (commit, scope)
 * readers:   per split, a merge of the scope (newest _seq wins, tombstones hide, flushed rows read
 *            once) or the commit's changelog (+I/+U/-D with a key, +I without)
 * </pre>
 *
 * Bounded sources read the table as of one commit (the newest, or {@code scan.commit} / {@code
 * scan.timestamp}). Unbounded sources start per {@link SourceOptions.ScanMode} and then emit every
 * committed change once; flushes, compactions and expiry move rows and emit nothing. The position
 * (planned commit, unassigned splits, rows emitted of each split) is in Flink state, so a restored
 * job neither skips nor repeats changes. On recovery the splits in the readers' state go back to
 * the enumerator ({@link SupportsSplitReassignmentOnRecovery}), which hands every split of a scope
 * to that scope's reader again, in commit order, whatever the new parallelism. Build one with
 * {@link #forRowData} or {@link #forTable}.
 */
@PublicEvolving
public final class TieredSource<T>
        implements Source<T, TieredSplit, EnumState>,
                ResultTypeQueryable<T>,
                SupportsSplitReassignmentOnRecovery {
    private static final long serialVersionUID = 1L;

    private final ReadConfig config;
    private final RowDataMapper<T> mapper;
    private final TypeInformation<T> producedType;

    TieredSource(ReadConfig config, RowDataMapper<T> mapper, TypeInformation<T> producedType) {
        this.config = config;
        this.mapper = mapper;
        this.producedType = producedType;
    }

    /** A source of {@link RowData} rows of the table's (projected) row type. */
    public static TieredSourceBuilder<RowData> forRowData(String baseUri, String tableId) {
        return new TieredSourceBuilder<>(baseUri, tableId, null, null);
    }

    /** A source of a user type, made from each row by {@code mapper}. */
    public static <T> TieredSourceBuilder<T> forTable(
            String baseUri,
            String tableId,
            RowDataMapper<T> mapper,
            TypeInformation<T> producedType) {
        return new TieredSourceBuilder<>(baseUri, tableId, mapper, producedType);
    }

    @Override
    public Boundedness getBoundedness() {
        return config.boundedness();
    }

    @Override
    public SourceReader<T, TieredSplit> createReader(SourceReaderContext context)
            throws IOException {
        TieredTable table = config.openTable();
        SplitCursors cursors = new SplitCursors(table, config);
        SourceMetrics metrics = new SourceMetrics(context.metricGroup());
        TieredSplitReader.CursorOpener opener =
                split -> {
                    metrics.splitStarted(split.sizeBytes());
                    return cursors.open(split, System.currentTimeMillis());
                };
        AtomicLong emitted = new AtomicLong();
        return new TieredSourceReader<>(
                () -> new TieredSplitReader(opener, config.limit(), emitted),
                new TieredRecordEmitter<>(mapper, metrics),
                metrics,
                config.isBounded(),
                context.getConfiguration(),
                context);
    }

    @Override
    public SplitEnumerator<TieredSplit, EnumState> createEnumerator(
            SplitEnumeratorContext<TieredSplit> context) {
        return restoreEnumerator(context, EnumState.initial());
    }

    @Override
    public SplitEnumerator<TieredSplit, EnumState> restoreEnumerator(
            SplitEnumeratorContext<TieredSplit> context, EnumState checkpoint) {
        return new TieredEnumerator(context, config, new LazyPlanning(config), checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<TieredSplit> getSplitSerializer() {
        return TieredSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<EnumState> getEnumeratorCheckpointSerializer() {
        return EnumStateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return producedType;
    }

    /** The row type of the rows read (before the mapper): the projected table columns. */
    public RowType producedRowType() {
        return config.producedType();
    }

    /** The table read, e.g. {@code chat.messages}. */
    public String tableId() {
        return config.definition().tableId();
    }

    /** Opens the table on first use, on the enumerator's worker thread. */
    private static final class LazyPlanning implements TieredEnumerator.Planning {
        private final ReadConfig config;
        private volatile SplitPlanner planner;

        LazyPlanning(ReadConfig config) {
            this.config = config;
        }

        private SplitPlanner planner() throws IOException {
            if (planner == null) {
                planner = new SplitPlanner(config.openTable(), config);
            }
            return planner;
        }

        @Override
        public long startCommit() throws IOException {
            return planner().startCommit();
        }

        @Override
        public boolean readsSnapshot() {
            return config.isBounded() || config.scanMode() == SourceOptions.ScanMode.FULL;
        }

        @Override
        public List<ScopeId> snapshotScopes(long commit) throws IOException {
            return planner().snapshotScopes(commit);
        }

        @Override
        public List<TieredSplit> snapshot(long commit, List<ScopeId> scopes, long nowMillis)
                throws IOException {
            return planner().snapshot(commit, scopes, nowMillis);
        }

        @Override
        public SplitPlanner.Discovery discover(long from) throws IOException {
            return planner().discover(from);
        }
    }
}
