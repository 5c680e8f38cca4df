package org.depesche.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.client.ClientFixtures.MX;
import static org.depesche.smtp.client.ClientFixtures.client;
import static org.depesche.smtp.client.ClientFixtures.dane;
import static org.depesche.smtp.client.ClientFixtures.message;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.dane.TlsaRecord;
import org.depesche.queue.Envelope;
import org.depesche.queue.QueuedMessage;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.client.DeliveryAttempt.Stage;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Message content on the wire: dot-stuffing (RFC 5321 4.5.2), line ends, several recipients, a failing source. */
class SmtpClientContentTest {
    private static final String DOTTED = "From: sender@sender.test\r\nTo: alice@example.org\r\nSubject: dots\r\n\r\n"
            + ".\r\n..\r\n.leading dot\r\nmiddle . dot\r\n...\r\n. \r\nlast line\r\n";

    @TempDir
    Path dir;

    @Test
    void linesStartingWithADotArriveIntactInDepeschesQueue() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (DepescheMx mx = DepescheMx.start(dir, id); SmtpClient client = client()) {
            DeliveryAttempt attempt = client.deliver(mx.address(), MX, dane(TlsaRecord.of(3, 1, 1, id.certificate())),
                    message(DOTTED, "alice@example.org"));
            assertThat(attempt.completed()).as(attempt.message()).isTrue();
            List<QueuedMessage> queued = mx.queued();
            assertThat(queued).hasSize(1);
            assertThat(mx.content(queued.get(0))).endsWith(DOTTED);
        }
    }

    @Test
    void severalRecipientsSomeRefusedByDepescheAreMatchedToTheirReplies() throws Exception {
        try (DepescheMx mx = DepescheMx.start(dir, TestPki.selfSigned(MX)); SmtpClient client = client()) {
            DeliveryAttempt attempt = client.deliver(mx.address(), MX, new TlsRequirement.Encrypted(),
                    message(ClientFixtures.BODY, "alice@example.org", "nobody@example.org", "bob@example.org", "x@remote.test"));
            assertThat(attempt.completed()).as(attempt.message()).isTrue();
            assertThat(attempt.delivered()).containsExactly(MailAddress.parse("alice@example.org"), MailAddress.parse("bob@example.org"));
            assertThat(attempt.recipients().get(1).reply().code()).isEqualTo(550);
            assertThat(attempt.recipients().get(1).reply().enhanced()).isEqualTo("5.1.1");
            assertThat(attempt.recipients().get(3).reply().code()).isEqualTo(550);
            assertThat(attempt.recipients().get(3).reply().enhanced()).isEqualTo("5.7.1");
            assertThat(mx.queued().get(0).envelope().recipients()).hasSize(2);
        }
    }

    @Test
    void aMissingFinalLineEndIsAddedAndBareLineFeedsBecomeCrlf() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null); SmtpClient client = client()) {
            DeliveryAttempt attempt = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(),
                    message("Subject: x\n\n.dot\r\nno end", "alice@example.org"));
            assertThat(attempt.completed()).as(attempt.message()).isTrue();
            assertThat(server.messages()).containsExactly("Subject: x\r\n\r\n.dot\r\nno end\r\n");
        }
    }

    @Test
    void aQueuedFileThatFailsMidwayIsNeverTerminatedWithTheDot() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null); SmtpClient client = client()) {
            OutboundMessage broken = new OutboundMessage(Optional.empty(), List.of(MailAddress.parse("alice@example.org")), 100,
                    BodyType.SEVEN_BIT, false, () -> new InputStream() {
                        private int left = 20;

                        @Override
                        public int read() throws IOException {
                            if (left-- > 0) return 'a';
                            throw new IOException("disk on fire");
                        }
                    });
            DeliveryAttempt attempt = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(), broken);
            assertThat(attempt.failedStage()).isEqualTo(Stage.DATA);
            assertThat(attempt.recipients().get(0).reply().code()).isEqualTo(451);
            assertThat(attempt.recipients().get(0).reply().enhanced()).isEqualTo("4.3.0");
            assertThat(attempt.message()).contains("disk on fire");
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void aServerThatStopsReadingDuringDataIsGivenUpAfterTheDataBlockTimeout() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null).stallInData();
             SmtpClient client = new SmtpClient("sender.test", ClientTimeouts.all(Duration.ofMillis(500)), null, Clock.systemUTC())) {
            // Far more than any socket buffer holds, so a write must block.
            String big = "Subject: big\r\n\r\n" + ("x".repeat(998) + "\r\n").repeat(8_000);
            DeliveryAttempt attempt = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(),
                    message(big, "alice@example.org"));
            assertThat(attempt.failedStage()).isEqualTo(Stage.DATA);
            assertThat(attempt.contentSent()).isTrue();
            assertThat(attempt.recipients().get(0).reply().code()).isEqualTo(451);
            assertThat(attempt.recipients().get(0).reply().enhanced()).isEqualTo("4.4.2");
            assertThat(attempt.message()).contains("did not answer in time");
            assertThat(server.messages()).isEmpty();
        }
    }
}
