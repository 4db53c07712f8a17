package dev.tiered.sink.internal;

import dev.tiered.state.ScopeId;
import dev.tiered.state.meta.CommitDelta;
import dev.tiered.state.testing.TableFixtures;

import java.io.File;
import java.util.List;

/** Deltas and handles for sink tests. */
final class SinkFixtures {
    private SinkFixtures() {}

    static TableHandle messages(File dir) {
        return new TableHandle(dir.toURI().toString(), TableFixtures.messagesDefinition());
    }

    static CommitDelta delta(long checkpoint, String hot, String user, long batch) {
        return new CommitDelta(
                "",
                checkpoint,
                List.of(TableFixtures.hot(hot, batch * 10, batch * 10 + 9, ScopeId.user(user))),
                List.of(
                        new CommitDelta.ScopeFlush(
                                ScopeId.user(user),
                                List.of(TableFixtures.batch(batch, batch * 10, batch * 10 + 9)),
                                batch * 10 + 9)));
    }
}
