package dev.tiered.source.internal.enumerator;

import dev.tiered.source.SourceOptions.ScanMode;
import dev.tiered.source.internal.ReadConfig;
import dev.tiered.source.internal.split.EnumState;
import dev.tiered.source.internal.split.EnumStateSerializer;
import dev.tiered.source.internal.split.TieredSplit;
import dev.tiered.source.testing.Messages;
import dev.tiered.source.testing.ReadConfigs;
import dev.tiered.state.ScopeId;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Split assignment: pull for bounded reads, scope affinity in commit order for unbounded ones. */
class TieredEnumeratorTest {

    /** Snapshot at commit 5 of the given scopes; each discovery round plans one more commit. */
    private static final class FakePlanning implements TieredEnumerator.Planning {
        final List<ScopeId> scopes;
        final long latest;

        FakePlanning(long latest, ScopeId... scopes) {
            this.scopes = List.of(scopes);
            this.latest = latest;
        }

        @Override
        public long startCommit() {
            return 5;
        }

        @Override
        public boolean readsSnapshot() {
            return true;
        }

        @Override
        public List<ScopeId> snapshotScopes(long commit) {
            return scopes;
        }

        @Override
        public List<TieredSplit> snapshot(long commit, List<ScopeId> scopes, long nowMillis) {
            List<TieredSplit> splits = new ArrayList<>();
            for (ScopeId scope : scopes) {
                splits.add(TieredSplit.snapshot(scope, commit, List.of("b"), List.of(), 0, 0, 1));
            }
            return splits;
        }

        @Override
        public SplitPlanner.Discovery discover(long from) {
            if (from >= latest) {
                return new SplitPlanner.Discovery(from, from, List.of());
            }
            List<TieredSplit> splits = new ArrayList<>();
            for (ScopeId scope : scopes) {
                splits.add(TieredSplit.changes(scope, from + 1, List.of("h" + (from + 1)), 0, 1));
            }
            return new SplitPlanner.Discovery(from, from + 1, splits);
        }
    }

    private static ReadConfig config(Boundedness boundedness) {
        return ReadConfigs.of(Messages.definition("rows:10"), boundedness, ScanMode.FULL);
    }

    private static final ScopeId A = ScopeId.user("alice");
    private static final ScopeId B = ScopeId.user("bob");
    private static final ScopeId C = ScopeId.user("carol");

    @Test
    void boundedReadersPullSplitsAndEveryReaderIsToldTheEnd() throws Exception {
        TestingSplitEnumeratorContext<TieredSplit> context = new TestingSplitEnumeratorContext<>(4);
        TieredEnumerator enumerator =
                new TieredEnumerator(
                        context,
                        config(Boundedness.BOUNDED),
                        new FakePlanning(5, A, B, C),
                        EnumState.initial());
        for (int i = 0; i < 4; i++) {
            context.registerReader(i, "localhost");
            enumerator.addReader(i);
        }
        enumerator.start();
        enumerator.handleSplitRequest(0, null); // before planning finished: served after it
        context.triggerAllActions();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 4; i++) {
                enumerator.handleSplitRequest(i, null);
            }
        }

        List<TieredSplit> assigned = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assigned.addAll(context.getSplitAssignments().get(i).getAssignedSplits());
            assertThat(context.getSplitAssignments().get(i).hasReceivedNoMoreSplitsSignal())
                    .as("reader %d told the end", i)
                    .isTrue();
        }
        assertThat(assigned).extracting(TieredSplit::scope).containsExactlyInAnyOrder(A, B, C);
        assertThat(enumerator.snapshotState(1)).isEqualTo(new EnumState(5, List.of()));
    }

    @Test
    void boundedRequestsAreAnsweredWithSeveralSplitsWhileManyArePendingAndOneAtTheEnd()
            throws Exception {
        TestingSplitEnumeratorContext<TieredSplit> context = new TestingSplitEnumeratorContext<>(2);
        ScopeId[] users = users(100);
        TieredEnumerator enumerator =
                new TieredEnumerator(
                        context,
                        config(Boundedness.BOUNDED),
                        new FakePlanning(5, users),
                        EnumState.initial());
        for (int i = 0; i < 2; i++) {
            context.registerReader(i, "localhost");
            enumerator.addReader(i);
        }
        enumerator.start();
        enumerator.handleSplitRequest(0, null);
        enumerator.handleSplitRequest(1, null);
        context.triggerAllActions();
        // Both asked before planning: served when the first 64 scopes were planned (64/4, 48/4).
        assertThat(totalAssigned(context)).isEqualTo(16 + 12);

        List<Integer> answers = new ArrayList<>();
        int assigned = totalAssigned(context);
        for (int request = 0; assigned < users.length; request++) {
            enumerator.handleSplitRequest(request % 2, null);
            int now = totalAssigned(context);
            answers.add(now - assigned);
            assigned = now;
        }
        // 72 pending over 2 readers: 16 per answer while a quarter of what is pending is more,
        // then a quarter of what is pending, and single splits at the end.
        assertThat(answers).containsExactly(16, 14, 10, 8, 6, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
        assertThat(assignedScopes(context)).containsExactlyInAnyOrder(users);

        enumerator.handleSplitRequest(0, null);
        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isTrue();
        assertThat(totalAssigned(context)).isEqualTo(users.length);
    }

    @Test
    void theSnapshotIsPlannedInPartsAndACheckpointBetweenThemKeepsTheUnplannedScopes()
            throws Exception {
        ScopeId[] users = users(100);
        TestingSplitEnumeratorContext<TieredSplit> context = new TestingSplitEnumeratorContext<>(1);
        ReadConfig config = config(Boundedness.BOUNDED);
        TieredEnumerator enumerator =
                new TieredEnumerator(
                        context, config, new FakePlanning(5, users), EnumState.initial());
        context.registerReader(0, "localhost");
        enumerator.addReader(0);
        enumerator.start();
        enumerator.handleSplitRequest(0, null);
        context.getExecutorService().trigger(); // the start: commit 5, 100 scopes
        assertThat(totalAssigned(context)).as("nothing planned yet").isZero();
        context.getExecutorService().trigger(); // the first part
        assertThat(totalAssigned(context)).as("read while the rest is planned").isEqualTo(16);

        EnumState state = enumerator.snapshotState(1);
        assertThat(state.plannedThrough()).isEqualTo(-1);
        assertThat(state.pending()).hasSize(TieredEnumerator.SCOPES_PER_PART - 16);
        assertThat(state.snapshotCommit()).isEqualTo(5);
        assertThat(state.unplannedScopes())
                .containsExactly(Arrays.copyOfRange(users, TieredEnumerator.SCOPES_PER_PART, 100));
        EnumStateSerializer serializer = EnumStateSerializer.INSTANCE;
        EnumState restoredState =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
        assertThat(restoredState).isEqualTo(state);

        TestingSplitEnumeratorContext<TieredSplit> restoredContext =
                new TestingSplitEnumeratorContext<>(1);
        TieredEnumerator restored =
                new TieredEnumerator(
                        restoredContext, config, new FakePlanning(5, users), restoredState);
        restoredContext.registerReader(0, "localhost");
        restored.addReader(0);
        restored.start();
        restoredContext.triggerAllActions();
        while (!restoredContext.getSplitAssignments().containsKey(0)
                || !restoredContext.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()) {
            restored.handleSplitRequest(0, null);
        }
        List<ScopeId> read = new ArrayList<>(assignedScopes(context));
        read.addAll(assignedScopes(restoredContext));
        assertThat(read).as("every scope once").containsExactlyInAnyOrder(users);
        assertThat(restored.snapshotState(2)).isEqualTo(new EnumState(5, List.of()));
    }

    private static ScopeId[] users(int count) {
        ScopeId[] users = new ScopeId[count];
        for (int i = 0; i < count; i++) {
            users[i] = ScopeId.user("u" + i);
        }
        return users;
    }

    private static List<ScopeId> assignedScopes(
            TestingSplitEnumeratorContext<TieredSplit> context) {
        List<ScopeId> scopes = new ArrayList<>();
        for (var assignment : context.getSplitAssignments().values()) {
            for (TieredSplit split : assignment.getAssignedSplits()) {
                scopes.add(split.scope());
            }
        }
        return scopes;
    }

    private static int totalAssigned(TestingSplitEnumeratorContext<TieredSplit> context) {
        int total = 0;
        for (var assignment : context.getSplitAssignments().values()) {
            total += assignment.getAssignedSplits().size();
        }
        return total;
    }

    @Test
    void unboundedSendsAllSplitsOfAScopeToOneReaderInCommitOrder() throws Exception {
        TestingSplitEnumeratorContext<TieredSplit> context = new TestingSplitEnumeratorContext<>(2);
        TieredEnumerator enumerator =
                new TieredEnumerator(
                        context,
                        config(Boundedness.CONTINUOUS_UNBOUNDED),
                        new FakePlanning(8, A, B, C),
                        EnumState.initial());
        context.registerReader(0, "localhost");
        context.registerReader(1, "localhost");
        enumerator.addReader(0);
        enumerator.addReader(1);
        enumerator.start();
        for (int i = 0; i < 6; i++) {
            context.triggerAllActions(); // start, then one discovery round per trigger
        }

        Map<ScopeId, Integer> readerOf = new HashMap<>();
        for (int reader = 0; reader < 2; reader++) {
            long lastCommit = -1;
            for (TieredSplit split :
                    context.getSplitAssignments().get(reader).getAssignedSplits()) {
                Integer previous = readerOf.put(split.scope(), reader);
                assertThat(previous == null || previous == reader)
                        .as("scope %s on one reader", split.scope())
                        .isTrue();
                assertThat(split.commit()).isGreaterThanOrEqualTo(lastCommit);
                lastCommit = split.commit();
            }
        }
        List<TieredSplit> all = new ArrayList<>();
        context.getSplitAssignments().values().forEach(s -> all.addAll(s.getAssignedSplits()));
        assertThat(all).hasSize(3 * 4); // snapshot at 5, changes of 6, 7, 8
        assertThat(all.stream().filter(s -> s.kind() == TieredSplit.Kind.SNAPSHOT)).hasSize(3);
        assertThat(enumerator.snapshotState(1).plannedThrough()).isEqualTo(8);
    }

    @Test
    void pendingSplitsSurviveACheckpointAndSplitsAddedBackAreReassigned() throws Exception {
        TestingSplitEnumeratorContext<TieredSplit> context = new TestingSplitEnumeratorContext<>(1);
        ReadConfig config = config(Boundedness.CONTINUOUS_UNBOUNDED);
        TieredEnumerator enumerator =
                new TieredEnumerator(context, config, new FakePlanning(6, A), EnumState.initial());
        enumerator.start();
        context.triggerAllActions();
        context.triggerAllActions();
        EnumState state = enumerator.snapshotState(1);
        assertThat(state.plannedThrough()).isEqualTo(6);
        assertThat(state.pending()).extracting(TieredSplit::commit).containsExactly(5L, 6L);

        TestingSplitEnumeratorContext<TieredSplit> restoredContext =
                new TestingSplitEnumeratorContext<>(1);
        TieredEnumerator restored =
                new TieredEnumerator(restoredContext, config, new FakePlanning(6, A), state);
        restoredContext.registerReader(0, "localhost");
        restored.addReader(0);
        List<TieredSplit> assigned =
                restoredContext.getSplitAssignments().get(0).getAssignedSplits();
        assertThat(assigned).extracting(TieredSplit::commit).containsExactly(5L, 6L);

        restored.addSplitsBack(List.of(assigned.get(1)), 0);
        assertThat(restoredContext.getSplitAssignments().get(0).getAssignedSplits())
                .extracting(TieredSplit::commit)
                .containsExactly(5L, 6L, 6L);
    }

    @Test
    void splitsReportedByRecoveredReadersGoToTheirScopesOwnerInCommitOrder() throws Exception {
        int parallelism = 3;
        TieredSplit inFlight = TieredSplit.changes(A, 6, List.of("h6"), 0, 1).withPosition(3);
        TieredSplit queued = TieredSplit.changes(A, 7, List.of("h7"), 0, 1);
        TieredSplit planned = TieredSplit.changes(A, 8, List.of("h8"), 0, 1);
        int owner = TieredEnumerator.ownerOf(inFlight, parallelism);
        int other = (owner + 1) % parallelism;
        int third = (owner + 2) % parallelism;
        Map<Integer, ReaderInfo> readers = new HashMap<>();
        TestingSplitEnumeratorContext<TieredSplit> context =
                new TestingSplitEnumeratorContext<>(parallelism) {
                    @Override
                    public Map<Integer, ReaderInfo> registeredReaders() {
                        return readers;
                    }
                };
        TieredEnumerator enumerator =
                new TieredEnumerator(
                        context,
                        config(Boundedness.CONTINUOUS_UNBOUNDED),
                        new FakePlanning(8, A),
                        new EnumState(8, List.of(planned)));

        readers.put(owner, ReaderInfo.createReaderInfo(owner, "localhost", List.of()));
        enumerator.addReader(owner);
        assertThat(context.getSplitAssignments()).as("not every reader is back").isEmpty();
        // Before a rescale, reader 'other' had A's splits in its state: they come back to A's
        // owner, before the split planned later.
        readers.put(
                other, ReaderInfo.createReaderInfo(other, "localhost", List.of(queued, inFlight)));
        enumerator.addReader(other);
        readers.put(third, ReaderInfo.createReaderInfo(third, "localhost", List.of()));
        enumerator.addReader(third);

        assertThat(context.getSplitAssignments().get(owner).getAssignedSplits())
                .containsExactly(inFlight, queued, planned);
        assertThat(context.getSplitAssignments()).containsOnlyKeys(owner);
    }

    @Test
    void theOwnerOfAScopeDependsOnlyOnTheScope() {
        TieredSplit snapshot = TieredSplit.snapshot(B, 3, List.of(), List.of(), 0, 0, 0);
        TieredSplit changes = TieredSplit.changes(B, 9, List.of(), 0, 0);
        for (int parallelism = 1; parallelism < 8; parallelism++) {
            int owner = TieredEnumerator.ownerOf(snapshot, parallelism);
            assertThat(owner).isBetween(0, parallelism - 1);
            assertThat(TieredEnumerator.ownerOf(changes, parallelism)).isEqualTo(owner);
        }
    }
}
