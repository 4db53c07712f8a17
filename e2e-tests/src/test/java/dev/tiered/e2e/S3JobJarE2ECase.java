package dev.tiered.e2e;

import dev.tiered.e2e.cluster.FlinkCluster;
import dev.tiered.e2e.cluster.FlinkClusterExtension;
import dev.tiered.e2e.s3.S3ServerExtension;
import dev.tiered.state.io.FlinkFileIO;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JobJarScenarios} with the warehouse on S3 ({@code s3://warehouse/<test>}), as production
 * runs it: the cluster has {@code flink-s3-fs-hadoop} in {@code plugins/s3-fs-hadoop/} and the
 * {@code s3.*} keys in its {@code config.yaml}; data files, manifests and listings go through the
 * plugin, and every commit ({@code _log/<N>.json}) is a conditional put (DESIGN §10, invariants 1
 * and 2 on S3), also across the TaskManager killed mid-run.
 */
class S3JobJarE2ECase extends JobJarScenarios {
    private static final String BUCKET = "warehouse";

    @RegisterExtension
    @Order(1)
    static final S3ServerExtension S3 = new S3ServerExtension("s3-job-jar", BUCKET);

    @RegisterExtension
    @Order(2)
    static final FlinkClusterExtension FLINK =
            new FlinkClusterExtension("s3-job-jar-cluster", 2, 1, S3.flinkConfig());

    @Override
    FlinkCluster cluster() {
        return FLINK.cluster();
    }

    @Override
    Warehouse warehouse(String name) {
        // A fresh server per class: the prefix is empty.
        return new Warehouse(
                "s3://" + BUCKET + "/" + name, new FlinkFileIO(S3.server().flinkConfiguration()));
    }

    @Override
    void assertStorageAlive() {
        S3.server().assertAlive();
    }
}
