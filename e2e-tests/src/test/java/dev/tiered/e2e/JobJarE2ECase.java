package dev.tiered.e2e;

import dev.tiered.e2e.cluster.E2eFiles;
import dev.tiered.e2e.cluster.FlinkCluster;
import dev.tiered.e2e.cluster.FlinkClusterExtension;
import dev.tiered.state.io.FlinkFileIO;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@link JobJarScenarios} with the warehouse on the local disk ({@code file://}). */
class JobJarE2ECase extends JobJarScenarios {

    @RegisterExtension
    static final FlinkClusterExtension FLINK =
            new FlinkClusterExtension("job-jar-cluster", 2, 1, Map.of());

    @Override
    FlinkCluster cluster() {
        return FLINK.cluster();
    }

    @Override
    Warehouse warehouse(String name) throws IOException {
        Path warehouse = FLINK.cluster().directory().resolve("warehouse-" + name);
        E2eFiles.deleteRecursively(warehouse);
        Files.createDirectories(warehouse);
        return new Warehouse(warehouse.toUri().toString(), new FlinkFileIO());
    }
}
