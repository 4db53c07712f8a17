package dev.tiered.state.hot;

import dev.tiered.state.FlushPolicy;
import dev.tiered.state.ScopeId;
import dev.tiered.state.seq.SnowflakeIds;

/**
 * What the flush policy needs to know about one scope of a hot table: a snapshot, taken when {@link
 * HotTable#stats} was called.
 *
 * @param entries the versions the scope holds for the flush policy's {@code rows:N}: live upserts
 *     and tombstones (a tombstone must be flushed too), counted as KalamDB counts its hot rows, by
 *     version: a change newer than everything in the scope replaces its key's entry without reading
 *     it first, so it counts as one more entry until the next flush or scan recounts (exact after
 *     {@link HotTable#removeFlushed} and restore); a change of an older {@code _seq} (adopted from
 *     another writer) reads the stored version and replaces it without counting
 * @param bytes the encoded size of those versions (key plus value bytes, before RocksDB's
 *     compression and overheads), counted the same way: at least what the store holds
 * @param oldestUnflushedSeq the lowest {@code _seq} written to the scope since it was last empty or
 *     flushed: the scope has held unflushed changes since that id's time, even if that version has
 *     been replaced since. After {@link HotTable#removeFlushed} it is exact: the lowest {@code
 *     _seq} of the remaining entries. {@link Long#MAX_VALUE} when the scope is empty.
 * @param newestSeq the highest {@code _seq} of the scope's entries ({@link Long#MIN_VALUE} when
 *     empty); a flush of everything up to it leaves the scope empty
 */
public record ScopeStats(
        ScopeId scope, long entries, long bytes, long oldestUnflushedSeq, long newestSeq) {

    public static ScopeStats empty(ScopeId scope) {
        return new ScopeStats(scope, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE);
    }

    public boolean isEmpty() {
        return entries == 0;
    }

    /**
     * The write time of {@link #oldestUnflushedSeq}, in epoch millis, as {@link FlushPolicy#isDue}
     * takes it; {@link Long#MAX_VALUE} when the scope is empty.
     */
    public long oldestUnflushedMillis() {
        return isEmpty() ? Long.MAX_VALUE : SnowflakeIds.timestampMillis(oldestUnflushedSeq);
    }
}
