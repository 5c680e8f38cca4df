package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.server.ServerTestSupport.assertReply;
import static org.depesche.smtp.server.ServerTestSupport.connect;
import static org.depesche.smtp.server.ServerTestSupport.expect;
import static org.depesche.smtp.server.ServerTestSupport.plaintextRelay;
import static org.depesche.smtp.server.ServerTestSupport.tlsRelay;

import java.nio.file.Path;
import java.util.List;

import org.depesche.directory.FileDirectory;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure addresses on the MX listener (THREATS T2b): a recipient that must be
 * reached over TLS is refused before DATA on a plaintext session, accepted
 * after STARTTLS, and the queued message records the TLS it came in over.
 */
class SecureAddressTest {
    private static final String MESSAGE = "From: carol@remote.test\r\nSubject: hi\r\n\r\nhello\r\n";

    @TempDir
    Path dir;
    private TestServer server;
    private FileDirectory directory;

    @BeforeEach
    void start() throws Exception {
        directory = TestServer.secureDirectory(dir);
        directory.setAccountTls("bob@example.org", true, false);
        server = TestServer.start(dir, directory);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void plaintextMailToAnAddressInTheSecureAliasDomainIsRefusedWith5710BeforeDataAndNothingIsQueued() throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            TestReply refused = expect(client, "RCPT TO:<alice@secure.example.org>", 550, "5.7.10");
            assertThat(refused.text()).startsWith("alice@secure.example.org accepts mail only over TLS; your server did not use STARTTLS");
            assertThat(client.command("DATA").code()).isEqualTo(554); // no valid recipients: the message is never sent
            expect(client, "QUIT", 221, "2.0.0");
        }
        // Only the owner's digest is queued (RefusalDigest), nothing from carol.
        List<QueuedMessage> queued = server.queued();
        assertThat(queued).hasSize(1);
        assertThat(queued.getFirst().envelope().sender()).isEmpty();
        assertThat(queued.getFirst().envelope().recipients()).extracting(r -> r.mailbox().toString()).containsExactly("alice@example.org");
        assertThat(server.content(queued.getFirst())).contains("from <carol@remote.test> to <alice@secure.example.org>",
                "server relay.remote.test [127.0.0.1]: it did not use STARTTLS").doesNotContain("hello");
    }

    @Test
    void afterStarttlsTheSecureAliasDomainDeliversToTheSameMailboxAndTheMessageRecordsItsTls() throws Exception {
        try (SmtpTestClient client = tlsRelay(server)) {
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "Alice@secure.example.org", MESSAGE), 250, "2.0.0");
        }
        QueuedMessage m = server.queued().getFirst();
        assertThat(m.envelope().recipients()).containsExactly(
                new Recipient(MailAddress.parse("Alice@secure.example.org"), MailAddress.parse("alice@example.org")));
        assertThat(m.envelope().tls().isEncrypted()).isTrue();
        assertThat(m.envelope().tls().protocol()).startsWith("TLSv1.");
        assertThat(server.content(m)).startsWith("Received: ").contains("with ESMTPS", "(" + m.envelope().tls().protocol() + " TLS_");
    }

    @Test
    void anOrdinaryAddressIsStillAcceptedInPlaintextAndTheEnvelopeSaysSo() throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "alice@example.org", MESSAGE), 250, "2.0.0");
        }
        QueuedMessage m = server.queued().getFirst();
        assertThat(m.envelope().tls().isEncrypted()).isFalse();
        assertThat(server.content(m)).contains("with ESMTP ").doesNotContain("ESMTPS");
    }

    @Test
    void aSecureAliasAndAnAccountThatReceivesOnlyOverTlsAreRefusedInPlaintextWhileOtherRecipientsGetTheMessage() throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "RCPT TO:<sales@example.org>", 550, "5.7.10");
            expect(client, "RCPT TO:<bob+tag@example.org>", 550, "5.7.10");
            expect(client, "DATA", 354, "");
            client.write(MESSAGE + ".\r\n");
            assertReply(client.read(), 250, "2.0.0");
        }
        assertThat(server.queued().getFirst().envelope().recipients()).extracting(r -> r.original().toString())
                .containsExactly("alice@example.org");
    }

    @Test
    void overTlsTheSecureAliasAndTheTlsOnlyAccountAcceptMail() throws Exception {
        try (SmtpTestClient client = tlsRelay(server)) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<sales@example.org>", 250, "2.1.5");
            expect(client, "RCPT TO:<bob@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(MESSAGE + ".\r\n");
            assertReply(client.read(), 250, "2.0.0");
        }
        assertThat(server.queued().getFirst().envelope().recipients()).extracting(r -> r.mailbox().toString())
                .containsExactly("alice@example.org", "bob@example.org");
    }

    @Test
    void theBarePostmasterOfAnAccountThatReceivesOnlyOverTlsIsRefusedInPlaintextLikeItsFullAddress() throws Exception {
        // THREATS T2b: "<Postmaster>" without a domain (RFC 5321 4.1.1.3) delivers to postmaster@ of the first
        // local domain, here the TLS-only account bob, so it must not be a way around bob's switch.
        directory.addAlias("postmaster@example.org", List.of("bob@example.org"));
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<postmaster@example.org>", 550, "5.7.10");
            TestReply bare = expect(client, "RCPT TO:<Postmaster>", 550, "5.7.10");
            assertThat(bare.text()).startsWith("postmaster@example.org accepts mail only over TLS");
            assertThat(client.command("DATA").code()).isEqualTo(554);
        }
        try (SmtpTestClient client = tlsRelay(server)) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<Postmaster>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(MESSAGE + ".\r\n");
            assertReply(client.read(), 250, "2.0.0");
        }
        assertThat(server.queued()).extracting(m -> m.envelope().sender().map(MailAddress::toString).orElse(""))
                .contains("carol@remote.test");
    }
}
