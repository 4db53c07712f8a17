package dev.tiered.state.maint;

import dev.tiered.state.TieredTable;

import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Commits that readers have pinned: a batch scan pinned to a commit, a streaming reader's position,
 * a time-travel query. A pin is a small file {@code _pins/<reader>} holding the commit and a lease
 * end; expiry never removes a commit at or above the oldest pin whose lease has not ended, nor any
 * file such a commit references. A reader renews its lease while it reads and removes the pin when
 * it is done; a crashed reader's pin lapses when its lease ends.
 */
public final class ReaderPins {
    private static final Pattern READER_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private ReaderPins() {}

    /**
     * Pins {@code commit} for {@code readerId} until {@code leaseUntilMillis}; renewing replaces
     * the reader's previous pin.
     */
    public static void pin(TieredTable table, String readerId, long commit, long leaseUntilMillis)
            throws IOException {
        if (commit < 1) {
            throw new IllegalArgumentException(
                    "Cannot pin commit " + commit + " of " + table.definition().tableId());
        }
        String content = commit + "," + leaseUntilMillis;
        table.io().overwrite(file(table, readerId), content.getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the reader's pin, if any. */
    public static void unpin(TieredTable table, String readerId) throws IOException {
        table.io().delete(file(table, readerId));
    }

    /**
     * The pinned commit of every reader whose lease has not ended at {@code nowMillis}. A pin file
     * that does not parse is treated as pinning commit 1 (it protects everything) until its reader
     * rewrites or removes it: expiry must not guess.
     */
    public static Map<String, Long> live(TieredTable table, long nowMillis) throws IOException {
        Map<String, Long> pins = new TreeMap<>();
        Path dir = table.layout().pinsDir();
        for (String name : table.io().list(dir)) {
            if (name.startsWith(".")) {
                continue; // a temp file of an overwrite in progress
            }
            long commit;
            long leaseUntil;
            try {
                String[] parts =
                        new String(table.io().read(new Path(dir, name)), StandardCharsets.UTF_8)
                                .trim()
                                .split(",");
                commit = Long.parseLong(parts[0]);
                leaseUntil = Long.parseLong(parts[1]);
            } catch (RuntimeException e) {
                commit = 1;
                leaseUntil = Long.MAX_VALUE;
            }
            if (leaseUntil > nowMillis) {
                pins.put(name, commit);
            }
        }
        return pins;
    }

    private static Path file(TieredTable table, String readerId) {
        if (!READER_ID.matcher(readerId).matches()) {
            throw new IllegalArgumentException(
                    "Cannot pin for reader '"
                            + readerId
                            + "': reader ids are 1..200 of [A-Za-z0-9._-]");
        }
        if (readerId.startsWith(".")) {
            throw new IllegalArgumentException(
                    "Cannot pin for reader '" + readerId + "': reader ids do not start with '.'");
        }
        return new Path(table.layout().pinsDir(), readerId);
    }
}
