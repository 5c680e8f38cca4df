package org.depesche.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CitedNamesTest {

    private static CitedNames names;

    @BeforeAll
    static void indexTheSources() throws Exception {
        names = new CitedNames(Path.of(""));
    }

    @Test
    void onlyMixedCaseJavaNamesAndRepositoryPathsAreCitations() {
        String sample = """
                `QueueRunner` and `smtp.server.SmtpSession` and `FileQueue.update`
                and `MxDecision.Refuse`, `PolicyFetcher.DEADLINE`, `Envelope.demand()`, `Class#method`
                but not `REQUIRETLS`, `queue.workers`, `data/mail/`, `421 4.7.0`, `TLS-Required: No`, `depesche serve`
                nor what a fenced block holds:
                ```
                `NoSuchClassAnywhere`
                ```
                and `interop/scenarios/60-smtp-smuggling.sh`.
                """;
        assertThat(CitedNames.citations(sample)).containsExactly(
                new CitedNames.Citation(1, "QueueRunner"), new CitedNames.Citation(1, "smtp.server.SmtpSession"),
                new CitedNames.Citation(1, "FileQueue.update"), new CitedNames.Citation(2, "MxDecision.Refuse"),
                new CitedNames.Citation(2, "PolicyFetcher.DEADLINE"), new CitedNames.Citation(2, "Envelope.demand()"),
                new CitedNames.Citation(2, "Class#method"),
                new CitedNames.Citation(8, "interop/scenarios/60-smtp-smuggling.sh"));
    }

    @Test
    void namesThatExistPassWhateverTheirForm() {
        for (String exists : new String[]{"QueueRunner", "org.depesche.Depesche", "smtp.server.SmtpSession",
                "SmtpSession.commandLoop", "MxDecision.Refuse", "PolicyFetcher.DEADLINE", "Envelope.demand()",
                "Incoming.commit(Envelope)", "Queue.Incoming", "Courier#destination", "KillNineTest",
                "SmtpClientMitmTest#swappedCertificateOnADaneDestinationFailsAndNothingIsDelivered",
                "interop/scenarios/60-smtp-smuggling.sh", "docs/flow.md"}) {
            assertThat(names.problem(exists)).as(exists).isEmpty();
        }
    }

    @Test
    void aNameThatDoesNotExistIsReportedWithItsDocumentLineAndWhatIsMissing() {
        String sample = """
                # Sample
                The runner (`QueueRunner`) calls `QueueRunner.deliverEverythingTwice`,
                then `NoSuchCourier.deliver`; the session is `smtp.client.SmtpSession`,
                its refusal `MxDecision.Bounce`; see `SmtpAbuseTest#aTestThatWasNeverWritten`
                and `interop/scenarios/00-no-such-scenario.sh`.
                """;
        assertThat(names.check("sample.md", sample)).extracting(CitedNames.Problem::toString).containsExactly(
                "sample.md line 2: `QueueRunner.deliverEverythingTwice`: org.depesche.queue.QueueRunner has no method,"
                        + " field or nested type deliverEverythingTwice",
                "sample.md line 3: `NoSuchCourier.deliver`: no class or nested type NoSuchCourier in src/main/java or"
                        + " src/test/java",
                "sample.md line 3: `smtp.client.SmtpSession`: no class org.depesche.smtp.client.SmtpSession in"
                        + " src/main/java or src/test/java",
                "sample.md line 4: `MxDecision.Bounce`: org.depesche.policy.MxDecision has no nested type Bounce",
                "sample.md line 4: `SmtpAbuseTest#aTestThatWasNeverWritten`: org.depesche.smtp.server.SmtpAbuseTest"
                        + " has no method, field or nested type aTestThatWasNeverWritten",
                "sample.md line 5: `interop/scenarios/00-no-such-scenario.sh`: no such file or directory in the repository");
    }

    @Test
    void aNestedTypeNameThatSeveralClassesUseMustBeQualified() {
        // PolicyCache.Entry and DowngradeMemory.Entry share their short name.
        assertThat(names.problem("Entry")).hasValueSatisfying(why -> assertThat(why).startsWith("Entry is ambiguous ("));
        assertThat(names.problem("PolicyCache.Entry")).isEmpty();
    }
}
