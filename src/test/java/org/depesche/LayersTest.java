package org.depesche;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.lang.EvaluationResult;

/**
 * Issue 9: the seams hold. The SMTP protocol code reaches storage only
 * through the queue's and the stores' interfaces, and the storage layers
 * share value types with the protocol through {@code org.depesche.mail},
 * not by importing it.
 */
class LayersTest {

    @Test
    void theSmtpProtocolPackagesTouchNoFile() {
        EvaluationResult result = noClasses().that().resideInAPackage("org.depesche.smtp..")
                .should().dependOnClassesThat(resideInAPackage("java.nio.file..")
                        .or(resideInAPackage("java.io").and(simpleNameStartingWith("File")))
                        .or(resideInAPackage("java.io").and(simpleNameStartingWith("RandomAccessFile"))))
                .evaluate(PackageCyclesTest.PRODUCTION);
        assertThat(result.hasViolation()).as(result.getFailureReport().toString()).isFalse();
    }

    @Test
    void theQueueTheDirectoryAndTheStoresDoNotImportTheProtocolPackages() {
        EvaluationResult result = noClasses().that()
                .resideInAnyPackage("org.depesche.queue..", "org.depesche.directory..", "org.depesche.store..", "org.depesche.mail..")
                .should().dependOnClassesThat(resideInAnyPackage("org.depesche.smtp..", "org.depesche.outbound.."))
                .evaluate(PackageCyclesTest.PRODUCTION);
        assertThat(result.hasViolation()).as(result.getFailureReport().toString()).isFalse();
    }
}
