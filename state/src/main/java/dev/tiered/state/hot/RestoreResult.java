package dev.tiered.state.hot;

/**
 * What {@link HotTable#restore} did, for the writer's log line and metrics.
 *
 * @param changesRead changes read from all segments
 * @param skippedNotOwned changes of scopes this writer does not own
 * @param skippedExpired changes of a STREAM table that were already past TTL
 * @param entriesLoaded entries the table holds afterwards (newest version per key)
 * @param scopes scopes the table holds afterwards
 * @param spilledRuns sorted runs written to disk because the input exceeded the sort buffer
 * @param ingestedFiles SST files the entries were bulk-loaded as; 0 when they were put one by one
 *     (small restores)
 */
public record RestoreResult(
        long changesRead,
        long skippedNotOwned,
        long skippedExpired,
        long entriesLoaded,
        int scopes,
        int spilledRuns,
        int ingestedFiles) {}
