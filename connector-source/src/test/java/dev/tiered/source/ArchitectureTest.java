package dev.tiered.source;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The source's API is its root package ({@code @PublicEvolving}); everything public elsewhere is
 * {@code @Internal}; it depends on the engine, never on the sink or the table factory.
 */
class ArchitectureTest {
    private static final JavaClasses SOURCE =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.tiered.source");

    @Test
    void publicApiClassesArePublicEvolving() {
        classes()
                .that()
                .resideInAPackage("dev.tiered.source")
                .and()
                .arePublic()
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .check(SOURCE);
    }

    @Test
    void publicInternalClassesAreInternal() {
        classes()
                .that()
                .resideInAPackage("dev.tiered.source.internal..")
                .and()
                .haveModifier(JavaModifier.PUBLIC)
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(Internal.class)
                .check(SOURCE);
    }

    @Test
    void sourceDependsOnlyOnTheEngine() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tiered.sink..", "dev.tiered.table..")
                .check(SOURCE);
    }
}
