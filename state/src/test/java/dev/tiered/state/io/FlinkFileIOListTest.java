package dev.tiered.state.io;

import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listing a directory while another thread's temp files come and go (a committer writing the {@code
 * _latest} hint beside an expiry listing {@code _log/}) never fails: a local file system lists
 * names, then reads each one's status, and a file can vanish in between.
 */
class FlinkFileIOListTest {
    @TempDir File dir;

    @Test
    void listingSurvivesFilesVanishingMeanwhile() throws Exception {
        FlinkFileIO io = new FlinkFileIO();
        Files.writeString(new File(dir, "kept.json").toPath(), "x");
        AtomicBoolean stop = new AtomicBoolean();
        Thread churn =
                new Thread(
                        () -> {
                            for (int i = 0; !stop.get(); i++) {
                                Path temp = new Path(dir.toURI().toString(), ".t" + i + ".tmp");
                                try {
                                    io.overwrite(temp, new byte[] {1});
                                    io.delete(temp);
                                } catch (Exception e) {
                                    throw new AssertionError(e);
                                }
                            }
                        });
        churn.start();
        try {
            for (int i = 0; i < 3_000; i++) {
                assertThat(io.list(Path.fromLocalFile(dir))).contains("kept.json");
            }
        } finally {
            stop.set(true);
            churn.join();
        }
    }
}
