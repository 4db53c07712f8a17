package dev.tiered.source.internal.reader;

import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.state.ChangeCursor;
import dev.tiered.state.ChangeOp;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TableDefinition;
import dev.tiered.state.TieredTable;
import dev.tiered.state.cold.KeyRange;
import dev.tiered.state.merge.ScopeReader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.types.RowKind;

import java.io.IOException;

/** Opens the cursor of a split: a merged snapshot of a scope, or a commit's changelog. */
@Internal
public final class SplitCursors {
    private final TieredTable table;
    private final ReadConfig config;
    private final int[] produced;
    private final HotSegmentCache hotSegments;

    public SplitCursors(TieredTable table, ReadConfig config) {
        this.table = table;
        this.config = config;
        this.produced = config.producedIndexes();
        ScopeId onlyScope = config.userId() == null ? null : ScopeId.user(config.userId());
        this.hotSegments =
                new HotSegmentCache(table, scope -> onlyScope == null || onlyScope.equals(scope));
    }

    /**
     * Opens the split's cursor positioned after the rows it already emitted ({@code
     * split.position()}).
     */
    public SplitCursor open(TieredSplit split, long nowMillis) throws IOException {
        SplitCursor cursor =
                split.kind() == TieredSplit.Kind.SNAPSHOT
                        ? snapshot(split, nowMillis)
                        : ChangelogCursor.open(
                                table, config, hotSegments, split, nowMillis, produced);
        try {
            for (long i = 0; i < split.position(); i++) {
                if (!cursor.next()) {
                    break;
                }
            }
            return cursor;
        } catch (IOException | RuntimeException e) {
            try {
                cursor.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private SplitCursor snapshot(TieredSplit split, long nowMillis) throws IOException {
        TableDefinition definition = table.definition();
        // A part of a scope's keys lies within the scan's key range (the planner made it so).
        KeyRange range =
                split.keySpan() == null
                        ? config.keyRange()
                        : split.keySpan()
                                .toKeyRange(
                                        definition
                                                .columns()
                                                .get(definition.primaryKeyIndex())
                                                .type());
        ChangeCursor changes;
        if (definition.primaryKeyIndex() >= 0) {
            changes =
                    ScopeReader.open(
                            table,
                            split.scope(),
                            split.batches(),
                            split.hotSegments(),
                            split.flushedThroughSeq(),
                            config.batchReadSpec(range),
                            nowMillis,
                            false);
        } else {
            // Without a key there is nothing to merge: every live event is a row.
            changes =
                    HotChangeCursor.open(
                            table,
                            split.scope(),
                            split.hotSegments(),
                            ScopeReader.liveHotSeq(
                                    definition, split.flushedThroughSeq(), nowMillis));
        }
        RowData.FieldGetter key =
                range.isAll()
                        ? null
                        : RowData.createFieldGetter(
                                definition.rowType().getTypeAt(definition.primaryKeyIndex()),
                                definition.primaryKeyIndex());
        return new Inserts(changes, produced, range, key);
    }

    /** Every live row of a merged (or key-less) scope, as +I. */
    private static final class Inserts implements SplitCursor {
        private final ChangeCursor changes;
        private final ProjectedRowData projected;
        private final KeyRange range;
        private final RowData.FieldGetter key;

        /**
         * @param key the key getter when {@code range} is not everything: batches are pruned by the
         *     range already, hot rows are filtered here
         */
        Inserts(ChangeCursor changes, int[] produced, KeyRange range, RowData.FieldGetter key) {
            this.changes = changes;
            this.projected = ProjectedRowData.from(produced);
            this.range = range;
            this.key = key;
        }

        @Override
        public boolean next() throws IOException {
            while (changes.next()) {
                RowData row = changes.row();
                if (changes.op() == ChangeOp.UPSERT
                        && (key == null || range.contains(key.getFieldOrNull(row)))) {
                    row.setRowKind(RowKind.INSERT);
                    projected.replaceRow(row);
                    return true;
                }
            }
            return false;
        }

        @Override
        public RowData row() {
            return projected;
        }

        @Override
        public void close() throws IOException {
            changes.close();
        }
    }
}
