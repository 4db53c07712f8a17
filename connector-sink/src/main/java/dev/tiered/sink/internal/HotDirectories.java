package dev.tiered.sink.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Where a writer's hot store lives: one of the configured {@code hot.local-dirs}, else one of the
 * TaskManager's {@code io.tmp.dirs} (a Sink V2 writer sees no TaskManager configuration, so it is
 * read from {@code FLINK_CONF_DIR}, as the TaskManager read it), else {@code java.io.tmpdir}.
 */
@Internal
final class HotDirectories {
    private HotDirectories() {}

    /** The parent directory for subtask {@code subtask}'s hot store. */
    static Path parent(List<String> configured, int subtask, Map<String, String> env) {
        List<String> dirs = configured.isEmpty() ? flinkTempDirs(env) : configured;
        return Paths.get(dirs.get(Math.floorMod(subtask, dirs.size())));
    }

    private static List<String> flinkTempDirs(Map<String, String> env) {
        String confDir = env.get(ConfigConstants.ENV_FLINK_CONF_DIR);
        if (confDir != null && Files.isDirectory(Paths.get(confDir))) {
            String[] dirs =
                    ConfigurationUtils.parseTempDirectories(
                            GlobalConfiguration.loadConfiguration(confDir));
            if (dirs.length > 0) {
                return List.of(dirs);
            }
        }
        return List.of(System.getProperty("java.io.tmpdir"));
    }

    /** A new, absent directory for a hot store under {@code parent} (the store creates it). */
    static Path newStoreDir(Path parent, String tableId, int subtask) throws IOException {
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "tiered-hot-" + tableId + "-" + subtask + "-");
        Files.delete(dir);
        return dir;
    }
}
