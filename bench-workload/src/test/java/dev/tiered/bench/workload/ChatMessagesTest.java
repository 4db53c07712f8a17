package dev.tiered.bench.workload;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChatMessagesTest {

    @Test
    void rowsArePureFunctionsOfTheIndex() {
        ChatMessages a = new ChatMessages(1_000, 20);
        ChatMessages b = new ChatMessages(1_000, 20);
        for (long i = 0; i < 10_000; i++) {
            assertThat(a.id(i)).isEqualTo(b.id(i));
            assertThat(a.content(i)).isEqualTo(b.content(i));
        }
        // Pinned values: a change here changes every benchmark's data.
        assertThat(a.userId(0)).isEqualTo(new ChatMessages(1_000, 0).userId(0));
        assertThat(new ChatMessages(1_000, 0).id(12_345)).isEqualTo(12_345);
    }

    @Test
    void updateShareRewritesEarlierIdsOfTheSameUser() {
        ChatMessages workload = new ChatMessages(1_000, 20);
        int updates = 0;
        for (long i = 1; i < 100_000; i++) {
            long id = workload.id(i);
            assertThat(id).isBetween(0L, i);
            if (id != i) {
                updates++;
            }
        }
        assertThat(updates).isBetween(19_000, 21_000);
    }

    @Test
    void usersAndContentHaveTheWorkloadsShape() {
        ChatMessages workload = new ChatMessages(1_000, 0);
        java.util.Set<String> users = new java.util.HashSet<>();
        for (long i = 0; i < 100_000; i++) {
            users.add(workload.userId(i));
            assertThat(workload.content(i).length()).isBetween(100, 112);
            assertThat(workload.conversationId(i)).isBetween(0L, 9_999L);
        }
        assertThat(users).hasSize(1_000);
    }
}
