package dev.tiered.sink.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HotDirectoriesTest {
    @TempDir Path root;

    @Test
    void configuredDirectoriesAreSharedOutBySubtask() {
        List<String> dirs = List.of("/disk1/hot", "/disk2/hot");
        assertThat(HotDirectories.parent(dirs, 0, Map.of())).isEqualTo(Paths.get("/disk1/hot"));
        assertThat(HotDirectories.parent(dirs, 1, Map.of())).isEqualTo(Paths.get("/disk2/hot"));
        assertThat(HotDirectories.parent(dirs, 2, Map.of())).isEqualTo(Paths.get("/disk1/hot"));
    }

    @Test
    void withoutConfigurationTheTaskManagersTempDirectoriesAreUsed() throws Exception {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.writeString(
                conf.resolve("config.yaml"),
                "io:\n  tmp:\n    dirs: " + root.resolve("a") + "," + root.resolve("b") + "\n");
        Map<String, String> env = Map.of("FLINK_CONF_DIR", conf.toString());
        assertThat(HotDirectories.parent(List.of(), 0, env)).isEqualTo(root.resolve("a"));
        assertThat(HotDirectories.parent(List.of(), 1, env)).isEqualTo(root.resolve("b"));
    }

    @Test
    void withoutFlinkConfigurationTheJvmTempDirectoryIsUsed() {
        assertThat(HotDirectories.parent(List.of(), 3, Map.of()))
                .isEqualTo(Paths.get(System.getProperty("java.io.tmpdir")));
    }

    @Test
    void aStoreDirectoryIsNewAndAbsentUnderItsParent() throws Exception {
        Path parent = root.resolve("not/yet/there");
        Path dir = HotDirectories.newStoreDir(parent, "chat.messages", 4);
        assertThat(dir.getParent()).isEqualTo(parent);
        assertThat(dir.getFileName().toString()).startsWith("tiered-hot-chat.messages-4-");
        assertThat(dir).doesNotExist();
    }
}
