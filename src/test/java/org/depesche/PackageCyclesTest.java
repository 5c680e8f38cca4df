package org.depesche;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;

/**
 * Issue 9: the packages form a graph without cycles, so each can be read,
 * tested and replaced from the bottom up. Every package counts as a slice of
 * its own, subpackages included ({@code smtp}, {@code smtp.client} and
 * {@code smtp.server} are three), which is stricter than grouping by the
 * first level. Only production classes are checked: a test may reach across.
 */
class PackageCyclesTest {
    /** The directory (or jar) Depesche's own classes were loaded from, read directly: scanning the class path is slow. */
    static final JavaClasses PRODUCTION = new ClassFileImporter().importPath(productionClasses());

    private static Path productionClasses() {
        try {
            return Path.of(Depesche.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void noTwoPackagesDependOnEachOtherDirectlyOrAroundALoop() {
        EvaluationResult result = slices().matching("org.depesche.(**)").should().beFreeOfCycles()
                .evaluate(PRODUCTION);
        assertThat(result.hasViolation()).as(result.getFailureReport().toString()).isFalse();
    }

    @Test
    void theConfigurationRecordsDependOnNoOtherDepeschePackageButTheSharedValueTypes() {
        // Every layer reads them; one import from a layer would close a cycle through it.
        EvaluationResult result = noClasses().that().resideInAPackage("org.depesche.config")
                .should().dependOnClassesThat(resideInAPackage("org.depesche..")
                        .and(not(resideInAnyPackage("org.depesche.config", "org.depesche.mail"))))
                .evaluate(PRODUCTION);
        assertThat(result.hasViolation()).as(result.getFailureReport().toString()).isFalse();
    }

    @Test
    void theSharedValueTypesDependOnNoOtherDepeschePackage() {
        // org.depesche.mail is the bottom of the graph: config and every layer above it use it.
        EvaluationResult result = noClasses().that().resideInAPackage("org.depesche.mail")
                .should().dependOnClassesThat(resideInAPackage("org.depesche..").and(not(resideInAPackage("org.depesche.mail"))))
                .evaluate(PRODUCTION);
        assertThat(result.hasViolation()).as(result.getFailureReport().toString()).isFalse();
    }

    @Test
    void theRuleSeesTheWholeCodeBase() {
        // A wrong package name would import nothing, and an empty graph has no cycles.
        assertThat(PRODUCTION.containPackage("org.depesche.config")).isTrue();
        assertThat(PRODUCTION.containPackage("org.depesche.smtp.server")).isTrue();
        assertThat(PRODUCTION.contain(PackageCyclesTest.class)).isFalse();
        assertThat(PRODUCTION.size()).isGreaterThan(200);
    }
}
