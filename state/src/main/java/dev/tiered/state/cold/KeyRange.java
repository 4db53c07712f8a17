package dev.tiered.state.cold;

/**
 * A range of primary keys, both bounds inclusive, as Flink internal values of the key's type
 * ({@code Long} for BIGINT, {@code StringData} for STRING, {@code DecimalData} with the column's
 * scale, ...). A null bound is unbounded.
 */
public record KeyRange(Object lower, Object upper) {
    public static final KeyRange ALL = new KeyRange(null, null);

    public KeyRange {
        if (lower != null && upper != null && KeyOrder.VALUES.compare(lower, upper) > 0) {
            throw new IllegalArgumentException(
                    "Cannot build key range: lower bound " + lower + " > upper bound " + upper);
        }
    }

    /** Exactly one key: a point lookup, which may also use bloom filters. */
    public static KeyRange point(Object key) {
        if (key == null) {
            throw new IllegalArgumentException("Cannot look up a null key");
        }
        return new KeyRange(key, key);
    }

    public static KeyRange between(Object lower, Object upper) {
        return new KeyRange(lower, upper);
    }

    public boolean isPoint() {
        return lower != null && upper != null && KeyOrder.VALUES.compare(lower, upper) == 0;
    }

    public boolean isAll() {
        return lower == null && upper == null;
    }

    /** Whether {@code key} (an internal value of the key type) lies in the range. */
    public boolean contains(Object key) {
        return locate(key) == 0;
    }

    /**
     * Whether some key in {@code [min, max]} may lie in the range: false lets a reader skip a file
     * or row group whose key statistics are {@code min}/{@code max}. Null statistics may match.
     */
    public boolean overlaps(Object min, Object max) {
        if (upper != null && min != null && KeyOrder.VALUES.compare(min, upper) > 0) {
            return false;
        }
        return lower == null || max == null || KeyOrder.VALUES.compare(max, lower) >= 0;
    }

    /** Where a key lies: negative below the range, 0 inside, positive above. */
    int locate(Object key) {
        if (lower != null && KeyOrder.VALUES.compare(key, lower) < 0) {
            return -1;
        }
        if (upper != null && KeyOrder.VALUES.compare(key, upper) > 0) {
            return 1;
        }
        return 0;
    }
}
