package dev.tiered.state;

import java.util.Locale;

/**
 * When a scope's hot rows move to a cold Parquet batch: after {@code rows} unflushed rows, after
 * its oldest unflushed row is {@code intervalSeconds} old, or whichever comes first. A zero field
 * is unset. Parsed from the {@code FLUSH_POLICY} option with KalamDB's grammar and messages.
 */
public record FlushPolicy(int rows, int intervalSeconds) {

    static final int MAX_ROWS = 999_999;
    static final int MAX_INTERVAL_SECONDS = 86_399;

    public FlushPolicy {
        if (rows < 0
                || rows > MAX_ROWS
                || intervalSeconds < 0
                || intervalSeconds > MAX_INTERVAL_SECONDS) {
            throw new IllegalArgumentException(
                    "Cannot create flush policy: rows=" + rows + ", interval=" + intervalSeconds);
        }
        if (rows == 0 && intervalSeconds == 0) {
            throw new IllegalArgumentException(
                    "Cannot create flush policy: neither rows nor interval set");
        }
    }

    /**
     * The KalamDB serialisation tag: {@code row_limit}, {@code time_interval} or {@code combined}.
     */
    public String kind() {
        if (rows > 0 && intervalSeconds > 0) {
            return "combined";
        }
        return rows > 0 ? "row_limit" : "time_interval";
    }

    /**
     * Whether a scope holding {@code unflushedRows} rows, the oldest written at {@code
     * oldestUnflushedMillis}, is due for a flush at {@code nowMillis}. A pure function.
     */
    public boolean isDue(long unflushedRows, long oldestUnflushedMillis, long nowMillis) {
        if (unflushedRows <= 0) {
            return false;
        }
        if (rows > 0 && unflushedRows >= rows) {
            return true;
        }
        return intervalSeconds > 0 && nowMillis - oldestUnflushedMillis >= intervalSeconds * 1000L;
    }

    /** The canonical option text, e.g. {@code rows:1000,interval:60}. */
    @Override
    public String toString() {
        if (rows > 0 && intervalSeconds > 0) {
            return "rows:" + rows + ",interval:" + intervalSeconds;
        }
        return rows > 0 ? "rows:" + rows : "interval:" + intervalSeconds;
    }

    /**
     * Parses {@code rows:N}, {@code interval:S} or both, comma-separated, keys case-insensitive.
     *
     * @throws TableValidationException with KalamDB's message for the first rule broken
     */
    public static FlushPolicy parse(String text) {
        Long rows = null;
        Long interval = null;
        for (String rawPart : text.split(",", -1)) {
            String part = rawPart.trim();
            int colon = part.indexOf(':');
            if (colon < 0) {
                throw new TableValidationException(
                        "Invalid FLUSH_POLICY format '" + part + "'. Expected 'key:value'");
            }
            String key = part.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(colon + 1).trim();
            switch (key) {
                case "rows" -> rows = parseCount(value, "Invalid row limit in FLUSH_POLICY");
                case "interval" -> interval = parseCount(value, "Invalid interval in FLUSH_POLICY");
                default ->
                        throw new TableValidationException(
                                "Unknown FLUSH_POLICY key '"
                                        + part.substring(0, colon).trim()
                                        + "'");
            }
        }
        boolean rowsSet = rows != null && rows > 0;
        boolean intervalSet = interval != null && interval > 0;
        if (!rowsSet && !intervalSet) {
            throw new TableValidationException(
                    "FLUSH_POLICY must specify 'rows' or 'interval' > 0");
        }
        if (rows != null) {
            if (rows <= 0) {
                throw new TableValidationException("Row limit must be greater than 0");
            }
            if (rows > MAX_ROWS) {
                throw new TableValidationException("Row limit must be less than 1,000,000");
            }
        }
        if (interval != null) {
            if (interval <= 0) {
                throw new TableValidationException("Interval must be greater than 0");
            }
            if (interval > MAX_INTERVAL_SECONDS) {
                throw new TableValidationException(
                        "Interval must be less than 86400 seconds (24 hours)");
            }
        }
        return new FlushPolicy(
                rows == null ? 0 : rows.intValue(), interval == null ? 0 : interval.intValue());
    }

    /** An unsigned decimal; values beyond {@code long} saturate (they fail the range check). */
    private static long parseCount(String value, String invalidMessage) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new TableValidationException(invalidMessage);
        }
        String digits = value.replaceFirst("^0+(?=.)", "");
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }
}
