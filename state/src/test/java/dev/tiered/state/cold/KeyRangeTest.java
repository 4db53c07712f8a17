package dev.tiered.state.cold;

import org.apache.flink.table.data.StringData;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Key range membership and overlap with file statistics (used by source split planning). */
class KeyRangeTest {

    @Test
    void containsIsInclusiveAndNullBoundsAreOpen() {
        KeyRange range = KeyRange.between(10L, 20L);
        assertThat(range.contains(9L)).isFalse();
        assertThat(range.contains(10L)).isTrue();
        assertThat(range.contains(20L)).isTrue();
        assertThat(range.contains(21L)).isFalse();
        assertThat(KeyRange.between(null, 20L).contains(Long.MIN_VALUE)).isTrue();
        assertThat(KeyRange.between(10L, null).contains(Long.MAX_VALUE)).isTrue();
        assertThat(KeyRange.ALL.contains(5L)).isTrue();
    }

    @Test
    void overlapsRulesOutOnlyStatisticsEntirelyOutside() {
        KeyRange range = KeyRange.between(10L, 20L);
        assertThat(range.overlaps(0L, 9L)).isFalse();
        assertThat(range.overlaps(21L, 30L)).isFalse();
        assertThat(range.overlaps(0L, 10L)).isTrue();
        assertThat(range.overlaps(20L, 30L)).isTrue();
        assertThat(range.overlaps(12L, 13L)).isTrue();
        assertThat(range.overlaps(0L, 100L)).isTrue();
        assertThat(range.overlaps(null, null)).as("unknown statistics may match").isTrue();
        assertThat(KeyRange.ALL.overlaps(0L, 1L)).isTrue();
    }

    @Test
    void stringKeysCompareByCodePoint() {
        KeyRange range = KeyRange.between(StringData.fromString("b"), StringData.fromString("d"));
        assertThat(range.contains(StringData.fromString("c"))).isTrue();
        assertThat(range.contains(StringData.fromString("e"))).isFalse();
        assertThat(range.overlaps(StringData.fromString("da"), StringData.fromString("z")))
                .isFalse();
    }
}
