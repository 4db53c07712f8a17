package dev.tiered.state;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlushPolicyTest {

    @Test
    void parsesEachFormAndItsKalamDbKind() {
        assertThat(FlushPolicy.parse("rows:1000")).isEqualTo(new FlushPolicy(1000, 0));
        assertThat(FlushPolicy.parse("interval:60")).isEqualTo(new FlushPolicy(0, 60));
        assertThat(FlushPolicy.parse(" Rows : 5 , INTERVAL: 7 ")).isEqualTo(new FlushPolicy(5, 7));
        assertThat(FlushPolicy.parse("rows:1000").kind()).isEqualTo("row_limit");
        assertThat(FlushPolicy.parse("interval:60").kind()).isEqualTo("time_interval");
        assertThat(FlushPolicy.parse("interval:60,rows:1").kind()).isEqualTo("combined");
        assertThat(FlushPolicy.parse("rows:999999,interval:86399"))
                .isEqualTo(new FlushPolicy(999_999, 86_399));
    }

    @Test
    void canonicalTextParsesBackToTheSamePolicy() {
        for (String text : new String[] {"rows:1", "interval:86399", "interval:9,rows:3"}) {
            FlushPolicy policy = FlushPolicy.parse(text);
            assertThat(FlushPolicy.parse(policy.toString())).isEqualTo(policy);
        }
        assertThat(new FlushPolicy(3, 9)).hasToString("rows:3,interval:9");
    }

    @Test
    void rowLimitIsDueWhenReached() {
        FlushPolicy policy = new FlushPolicy(5, 0);
        assertThat(policy.isDue(4, 0, Long.MAX_VALUE)).isFalse();
        assertThat(policy.isDue(5, 0, 0)).isTrue();
    }

    @Test
    void intervalIsDueWhenTheOldestUnflushedRowIsOldEnough() {
        FlushPolicy policy = new FlushPolicy(0, 60);
        assertThat(policy.isDue(1, 1_000, 60_999)).isFalse();
        assertThat(policy.isDue(1, 1_000, 61_000)).isTrue();
        assertThat(policy.isDue(0, 1_000, 1_000_000)).as("nothing to flush").isFalse();
    }

    @Test
    void combinedIsDueOnWhicheverComesFirst() {
        FlushPolicy policy = new FlushPolicy(1000, 60);
        assertThat(policy.isDue(1000, 0, 1)).isTrue();
        assertThat(policy.isDue(1, 0, 60_000)).isTrue();
        assertThat(policy.isDue(999, 0, 59_999)).isFalse();
    }

    @Test
    void constructorRefusesValuesParseWouldReject() {
        assertThatThrownBy(() -> new FlushPolicy(0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlushPolicy(1_000_000, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlushPolicy(1, 86_400))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
