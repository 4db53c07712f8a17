package dev.tiered.state.maint;

import dev.tiered.state.TableDefinition;
import dev.tiered.state.TableOptionKeys;
import dev.tiered.state.TableValidationException;

import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.Map;

/**
 * The maintenance options of a table, read from its properties ({@code WITH} keys that are not
 * definition options, kept with the definition so every job and procedure sees the same values).
 *
 * @param targetFileBytes compaction writes files of about this size; batches at or above it are not
 *     rewritten ({@code compaction.target-file-size}, default 128 MiB)
 * @param maxFiles automatic compaction runs on a scope with more batches than this; 0 turns it off
 *     ({@code compaction.max-files}, default 16)
 * @param retainCommits expiry keeps at least this many newest commits ({@code log.retain-commits},
 *     default 100, at least 1)
 * @param retainTime expiry keeps every commit younger than this ({@code log.retain-time}, default 1
 *     h)
 * @param orphanGracePeriod orphan cleanup leaves unreferenced files younger than this ({@code
 *     orphan-files.grace-period}, default 1 d)
 */
public record MaintenanceOptions(
        long targetFileBytes,
        int maxFiles,
        int retainCommits,
        Duration retainTime,
        Duration orphanGracePeriod) {

    public static final long DEFAULT_TARGET_FILE_BYTES = 128L * 1024 * 1024;
    public static final int DEFAULT_MAX_FILES = 16;
    public static final int DEFAULT_RETAIN_COMMITS = 100;
    public static final Duration DEFAULT_RETAIN_TIME = Duration.ofHours(1);
    public static final Duration DEFAULT_ORPHAN_GRACE_PERIOD = Duration.ofDays(1);

    public MaintenanceOptions {
        if (targetFileBytes <= 0) {
            throw new IllegalArgumentException(
                    "Cannot configure maintenance: target file size must be > 0");
        }
        if (maxFiles < 0 || maxFiles == 1) {
            throw new IllegalArgumentException(
                    "Cannot configure maintenance: max files must be 0 (off) or at least 2");
        }
        if (retainCommits < 1) {
            throw new IllegalArgumentException(
                    "Cannot configure maintenance: retain commits must be at least 1");
        }
        if (retainTime.isNegative() || orphanGracePeriod.isNegative()) {
            throw new IllegalArgumentException(
                    "Cannot configure maintenance: durations must not be negative");
        }
    }

    public static MaintenanceOptions defaults() {
        return new MaintenanceOptions(
                DEFAULT_TARGET_FILE_BYTES,
                DEFAULT_MAX_FILES,
                DEFAULT_RETAIN_COMMITS,
                DEFAULT_RETAIN_TIME,
                DEFAULT_ORPHAN_GRACE_PERIOD);
    }

    /**
     * The options a table's properties set, defaults for the others.
     *
     * @throws TableValidationException naming the key whose value does not parse
     */
    public static MaintenanceOptions of(TableDefinition table) {
        return parse(table.properties());
    }

    /** See {@link #of}; {@code properties} may hold other keys, which are ignored. */
    public static MaintenanceOptions parse(Map<String, String> properties) {
        MaintenanceOptions d = defaults();
        try {
            return new MaintenanceOptions(
                    size(
                            properties,
                            TableOptionKeys.COMPACTION_TARGET_FILE_SIZE,
                            d.targetFileBytes),
                    integer(properties, TableOptionKeys.COMPACTION_MAX_FILES, d.maxFiles),
                    integer(properties, TableOptionKeys.LOG_RETAIN_COMMITS, d.retainCommits),
                    duration(properties, TableOptionKeys.LOG_RETAIN_TIME, d.retainTime),
                    duration(properties, TableOptionKeys.ORPHAN_GRACE_PERIOD, d.orphanGracePeriod));
        } catch (IllegalArgumentException e) {
            throw new TableValidationException(e.getMessage());
        }
    }

    public MaintenanceOptions withTargetFileBytes(long value) {
        return new MaintenanceOptions(
                value, maxFiles, retainCommits, retainTime, orphanGracePeriod);
    }

    public MaintenanceOptions withMaxFiles(int value) {
        return new MaintenanceOptions(
                targetFileBytes, value, retainCommits, retainTime, orphanGracePeriod);
    }

    public MaintenanceOptions withRetainCommits(int value) {
        return new MaintenanceOptions(
                targetFileBytes, maxFiles, value, retainTime, orphanGracePeriod);
    }

    public MaintenanceOptions withRetainTime(Duration value) {
        return new MaintenanceOptions(
                targetFileBytes, maxFiles, retainCommits, value, orphanGracePeriod);
    }

    public MaintenanceOptions withOrphanGracePeriod(Duration value) {
        return new MaintenanceOptions(targetFileBytes, maxFiles, retainCommits, retainTime, value);
    }

    private static long size(Map<String, String> properties, String key, long fallback) {
        String value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return MemorySize.parse(value.trim()).getBytes();
        } catch (IllegalArgumentException e) {
            throw invalid(key, value, "a memory size such as 128mb");
        }
    }

    private static int integer(Map<String, String> properties, String key, int fallback) {
        String value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, value, "an integer");
        }
    }

    private static Duration duration(
            Map<String, String> properties, String key, Duration fallback) {
        String value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return TimeUtils.parseDuration(value.trim());
        } catch (IllegalArgumentException e) {
            throw invalid(key, value, "a duration such as 1 h or 30 min");
        }
    }

    private static TableValidationException invalid(String key, String value, String expected) {
        return new TableValidationException(
                "Invalid '" + key + "' value '" + value + "'. Expected " + expected);
    }
}
