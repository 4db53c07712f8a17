package dev.tiered.state.bench;

import dev.tiered.state.hot.HotStore;
import dev.tiered.state.hot.HotStoreOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Opening and removing the stores the hot-store benchmarks measure. */
final class HotStoreBenchSupport {
    private HotStoreBenchSupport() {}

    static HotStore openHotStore() throws IOException {
        Path directory = Files.createTempDirectory("hot-bench-").resolve("store");
        return HotStore.open(
                directory,
                List.of(HotStoreBenchData.messages()),
                HotStoreOptions.defaults(),
                Clock.systemUTC());
    }

    static Path newRawDirectory() throws IOException {
        return Files.createTempDirectory("raw-bench-");
    }

    static void delete(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(
                            path -> {
                                try {
                                    Files.delete(path);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes a hot store and removes the temp directory around it. */
    static void close(HotStore store) {
        if (store != null) {
            Path parent = store.directory().getParent();
            store.close();
            delete(parent);
        }
    }
}
