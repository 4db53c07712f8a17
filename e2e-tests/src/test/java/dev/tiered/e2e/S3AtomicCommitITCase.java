package dev.tiered.e2e;

import dev.tiered.e2e.s3.S3ServerExtension;
import dev.tiered.state.ScopeId;
import dev.tiered.state.TieredTable;
import dev.tiered.state.io.FlinkFileIO;
import dev.tiered.state.io.TableFileIO;
import dev.tiered.state.meta.ScopeManifest;
import dev.tiered.state.meta.TableState;
import dev.tiered.state.testing.CommitRace;
import dev.tiered.state.testing.ForwardingTableFileIO;
import dev.tiered.state.testing.ManualClock;
import dev.tiered.state.testing.TableFixtures;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN §10, invariant 2 on S3: the commit point ({@code _log/<N>.json}, created only if absent)
 * is atomic on a real S3-compatible server, through {@link FlinkFileIO} as the connector uses it: a
 * conditional {@code PutObject} for the commit file, Flink's {@code flink-s3-fs-hadoop} plugin for
 * everything else. The local version of the race is {@code TableCommitterTest}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class S3AtomicCommitITCase {
    private static final String BUCKET = "warehouse";

    @RegisterExtension
    static final S3ServerExtension S3 = new S3ServerExtension("s3-atomic", BUCKET);

    private final ManualClock clock = new ManualClock(1_763_600_000_000L);

    private static FlinkFileIO io() {
        return new FlinkFileIO(S3.server().flinkConfiguration());
    }

    @Test
    void createOfAnExistingKeyReturnsFalseAndLeavesItUnchanged() throws Exception {
        TableFileIO io = io();
        Path file = new Path("s3://" + BUCKET + "/create-if-absent/_log/00000000000000000001.json");

        assertThat(io.createIfAbsent(file, bytes("first"))).isTrue();
        assertThat(io.createIfAbsent(file, bytes("second"))).isFalse();
        assertThat(io.createIfAbsent(file, bytes("first")))
                .as("same bytes, still not ours")
                .isFalse();

        // Read through Flink's S3 plugin: the commit point and the data path see one object.
        assertThat(new String(io.read(file), StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(io.list(file.getParent())).containsExactly(file.getName());
    }

    @Test
    void overwriteIsOnePutWithNothingLeftBeside() throws Exception {
        TableFileIO io = io();
        Path dir = new Path("s3://" + BUCKET + "/overwrite/scope");
        Path manifest = new Path(dir, "manifest.json");

        io.overwrite(manifest, bytes("v1"));
        io.overwrite(manifest, bytes("v2"));

        assertThat(new String(io.read(manifest), StandardCharsets.UTF_8)).isEqualTo("v2");
        assertThat(io.list(dir)).as("no temp files, no renames").containsExactly("manifest.json");
    }

    /**
     * Two committers with their own table handles race for every commit number through S3: each
     * lost race is a 412 on {@code _log/<N+1>.json}, after which the loser re-reads and retries.
     * All 50 commits land, in 50 numbers, and both scopes' manifests hold all 25 batches.
     */
    @Test
    void racingCommittersBothLandEveryCommit() throws Exception {
        Path base = new Path("s3://" + BUCKET + "/race");
        TieredTable.create(io(), base, TableFixtures.messagesDefinition());
        int perWriter = 25;
        AtomicInteger lostRaces = new AtomicInteger();
        CommitRace.run(
                2,
                perWriter,
                () ->
                        TieredTable.open(
                                new LostRaceCounter(io(), lostRaces), base, "chat", "messages"),
                clock);

        TieredTable reader = TieredTable.open(io(), base, "chat", "messages");
        TableState state = reader.latestState();
        assertThat(state.commit()).isEqualTo(2L * perWriter);
        assertThat(state.writers())
                .containsEntry("writer-0", (long) perWriter)
                .containsEntry("writer-1", (long) perWriter);
        for (int w = 0; w < 2; w++) {
            ScopeManifest manifest = reader.manifest(state, ScopeId.user("user" + w));
            assertThat(manifest.segments()).hasSize(perWriter);
            assertThat(manifest.version()).isEqualTo(perWriter);
        }
        List<String> committed = new ArrayList<>();
        for (long commit = 1; commit <= state.commit(); commit++) {
            committed.add(
                    reader.log().read(commit).writerId()
                            + "@"
                            + reader.log().read(commit).checkpointId());
        }
        assertThat(committed).as("each writer's checkpoint committed once").doesNotHaveDuplicates();
        System.out.printf(
                "racing committers on S3: %d lost races on a commit number%n", lostRaces.get());
        assertThat(lostRaces.get())
                .as("the committers raced for commit numbers (412s on _log/<N>.json)")
                .isPositive();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Counts creates of commit files that found the number taken. */
    private static final class LostRaceCounter extends ForwardingTableFileIO {
        private final AtomicInteger lost;

        LostRaceCounter(TableFileIO delegate, AtomicInteger lost) {
            super(delegate);
            this.lost = lost;
        }

        @Override
        public boolean createIfAbsent(Path path, byte[] content) throws IOException {
            boolean created = delegate.createIfAbsent(path, content);
            if (!created && path.getParent().getName().equals("_log")) {
                lost.incrementAndGet();
            }
            return created;
        }
    }
}
