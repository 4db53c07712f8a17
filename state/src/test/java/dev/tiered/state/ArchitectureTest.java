package dev.tiered.state;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The engine stays free of Flink's runtime: it may use Flink's core types and FileSystem and the
 * table data model (LogicalType, RowData) of flink-table-common, nothing that runs operators or
 * plans queries.
 */
class ArchitectureTest {
    private static final JavaClasses STATE =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.tiered.state");

    @Test
    void stateImportsNoStreamingRuntimeOrPlanner() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.flink.streaming..",
                        "org.apache.flink.runtime..",
                        "org.apache.flink.table.api..",
                        "org.apache.flink.table.catalog..",
                        "org.apache.flink.table.factories..",
                        "org.apache.flink.table.connector..",
                        "org.apache.flink.table.planner..")
                .check(STATE);
    }

    @Test
    void stateDependsOnNoOtherModule() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.tiered.sink..", "dev.tiered.source..", "dev.tiered.table..")
                .check(STATE);
    }

    /** The AWS SDK is the commit point's on S3 and nobody else's (DESIGN §3). */
    @Test
    void onlyTheS3CommitPointUsesTheAwsSdk() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName("dev.tiered.state.io.S3ConditionalPut")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("software.amazon..")
                .check(STATE);
    }
}
