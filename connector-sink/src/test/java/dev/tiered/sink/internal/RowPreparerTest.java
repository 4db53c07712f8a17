package dev.tiered.sink.internal;

import dev.tiered.state.BadRowException;
import dev.tiered.state.ScopeId;
import dev.tiered.state.seq.SnowflakeIds;
import dev.tiered.state.testing.TableFixtures;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The user-id check and the scope cache of {@link RowPreparer}. */
class RowPreparerTest {
    private final RowPreparer preparer =
            new RowPreparer(
                    TableFixtures.messagesDefinition(),
                    new SnowflakeIds(0, Clock.systemUTC()),
                    Clock.systemUTC());

    @Test
    void resolvesTheScopeOfEachRowAndReusesIt() {
        preparer.prepare(row(1, StringData.fromString("alice")), false);
        ScopeId alice = preparer.scope();
        preparer.prepare(row(2, StringData.fromString("bob")), false);
        assertThat(preparer.scope()).isEqualTo(ScopeId.user("bob"));
        preparer.prepare(row(3, StringData.fromString("alice")), true);
        assertThat(preparer.scope()).isSameAs(alice).isEqualTo(ScopeId.user("alice"));
    }

    @Test
    void aRowBufferReusedByItsProducerDoesNotChangeTheCachedIds() {
        byte[] buffer = "alice".getBytes(StandardCharsets.UTF_8);
        MemorySegment segment = MemorySegmentFactory.wrap(buffer);
        BinaryStringData reused = BinaryStringData.fromAddress(new MemorySegment[] {segment}, 0, 5);
        preparer.prepare(row(1, reused), false);
        assertThat(preparer.scope()).isEqualTo(ScopeId.user("alice"));

        System.arraycopy("carol".getBytes(StandardCharsets.UTF_8), 0, buffer, 0, 5);
        preparer.prepare(
                row(2, BinaryStringData.fromAddress(new MemorySegment[] {segment}, 0, 5)), false);
        assertThat(preparer.scope()).isEqualTo(ScopeId.user("carol"));
        preparer.prepare(row(3, StringData.fromString("alice")), false);
        assertThat(preparer.scope()).isEqualTo(ScopeId.user("alice"));
    }

    @Test
    void invalidUserIdsAreRejectedEveryTime() {
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> preparer.prepare(row(1, StringData.fromString("_x")), false))
                    .isInstanceOf(BadRowException.class)
                    .hasMessageContaining("user_id")
                    .hasMessageContaining("invalid user id");
        }
        assertThatThrownBy(() -> preparer.prepare(row(1, null), false))
                .isInstanceOf(BadRowException.class)
                .hasMessageContaining("is the user id and is null");
    }

    @Test
    void theCacheStartsOverWhenFull() {
        for (int i = 0; i <= RowPreparer.MAX_CACHED_USERS + 1; i++) {
            preparer.prepare(row(i, StringData.fromString("user-" + i)), false);
            assertThat(preparer.scope().userId()).isEqualTo("user-" + i);
        }
        preparer.prepare(row(0, StringData.fromString("user-0")), false);
        assertThat(preparer.scope()).isEqualTo(ScopeId.user("user-0"));
    }

    private static GenericRowData row(long id, StringData user) {
        return GenericRowData.of(id, user, 7L, StringData.fromString("hi"), null);
    }
}
