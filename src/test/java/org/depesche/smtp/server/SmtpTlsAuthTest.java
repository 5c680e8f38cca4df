package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.depesche.queue.Envelope;
import org.depesche.queue.QueuedMessage;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STARTTLS, implicit TLS and AUTH with real handshakes (THREATS T8, T9, T11, T13). */
class SmtpTlsAuthTest extends ServerTestSupport {

    private static final String FROM_ALICE = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHi Bob\r\n";

    @Test
    void submissionOffersStarttlsButNoAuthBeforeTlsAndAuthButNoStarttlsAfter() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            TestReply before = client.command("EHLO client.example");
            assertThat(before.lines()).contains("STARTTLS", "PIPELINING", "CHUNKING").noneMatch(l -> l.startsWith("AUTH"));
            expect(client, "STARTTLS", 220, "2.0.0");
            client.startTls(server.tls.clientContext());
            TestReply after = client.command("EHLO client.example");
            assertThat(after.lines()).contains("AUTH PLAIN LOGIN", "PIPELINING", "SIZE 100000").doesNotContain("STARTTLS");
        }
    }

    @Test
    void theMxListenerNeverOffersOrAcceptsAuthEvenInsideTls() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            TestReply ehlo = startTls(client);
            assertThat(ehlo.lines()).noneMatch(l -> l.startsWith("AUTH")).doesNotContain("STARTTLS");
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret"), 502, "5.5.1");
            expect(client, "STARTTLS", 503, "5.5.1");
        }
        assertThat(server.directory.passwordChecks()).isEqualTo(0);
    }

    @Test
    void implicitTlsOffersAuthButNotStarttls() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connectTls(server.submissions(), server.tls.clientContext())) {
            assertThat(client.read().code()).isEqualTo(220);
            TestReply ehlo = client.command("EHLO client.example");
            assertThat(ehlo.lines()).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
        }
    }

    @Test
    void authBeforeTlsIsRefusedWithoutCheckingThePassword() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            expect(client, "EHLO client.example", 250, "");
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret"), 530, "5.7.0");
            expect(client, "AUTH LOGIN", 530, "5.7.0");
            expect(client, "MAIL FROM:<alice@example.org>", 530, "5.7.0");
        }
        assertThat(server.directory.passwordChecks()).isEqualTo(0);
    }

    @Test
    void authPlainWithAnInitialResponseSucceedsAfterStarttls() throws Exception {
        try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
            TestReply ehlo = client.command("EHLO client.example");
            assertThat(ehlo.lines()).noneMatch(l -> l.startsWith("AUTH"));
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret"), 503, "5.5.1");
        }
    }

    @Test
    void authPlainWithoutInitialResponseUsesAChallengeAndStarCancels() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            startTls(client);
            TestReply challenge = client.command("AUTH PLAIN");
            assertThat(challenge.code()).isEqualTo(334);
            assertThat(challenge.text()).isEmpty();
            expect(client, "*", 501, "5.0.0");
            assertThat(client.command("AUTH PLAIN").code()).isEqualTo(334);
            expect(client, plain("alice@example.org", "alice-secret"), 235, "2.7.0");
        }
    }

    @Test
    void authLoginOnTheImplicitTlsPortSucceeds() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connectTls(server.submissions(), server.tls.clientContext())) {
            assertThat(client.read().code()).isEqualTo(220);
            expect(client, "EHLO client.example", 250, "");
            TestReply user = client.command("AUTH LOGIN");
            assertThat(user.code()).isEqualTo(334);
            assertThat(user.text()).isEqualTo(b64("Username:"));
            TestReply password = client.command(b64("bob@example.org"));
            assertThat(password.code()).isEqualTo(334);
            assertThat(password.text()).isEqualTo(b64("Password:"));
            expect(client, b64("bob-secret"), 235, "2.7.0");
            assertReply(send(client, "bob@example.org", "alice@example.org",
                    "From: bob@example.org\r\n\r\nHi\r\n"), 250, "2.0.0");
        }
        Envelope env = server.queued().getFirst().envelope();
        assertThat(env.authenticatedUser()).contains("bob@example.org");
        assertThat(env.tls().protocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void anOverlongAuthResponseIs500With556AndTheSessionGoesOn() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            startTls(client);
            assertThat(client.command("AUTH PLAIN").code()).isEqualTo(334);
            expect(client, "A".repeat(4000), 500, "5.5.6"); // RFC 4954 4
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret"), 235, "2.7.0");
        }
    }

    @Test
    void anEmptyInitialResponseAndBadBase64InLoginAre501AndTheSessionGoesOn() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            startTls(client);
            expect(client, "AUTH PLAIN =", 501, "5.5.2"); // "=" is an empty response: no NULs, malformed
            assertThat(client.command("AUTH LOGIN").code()).isEqualTo(334);
            expect(client, "%%%", 501, "5.5.2");
            assertThat(client.command("AUTH LOGIN " + b64("alice@example.org")).code()).isEqualTo(334);
            expect(client, b64("alice-secret"), 235, "2.7.0");
        }
        assertThat(server.directory.passwordChecks()).isEqualTo(1);
    }

    @Test
    void aWrongPasswordIs535AndTheConnectionClosesAfterTheLastAllowedFailure() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            startTls(client);
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "guess1"), 535, "5.7.8");
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "guess2"), 535, "5.7.8");
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret-no"), 535, "5.7.8");
            assertReply(client.read(), 421, "4.7.0");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertThat(server.directory.passwordChecks()).isEqualTo(3);
    }

    @Test
    void anUnknownMechanismIs504AndAuthInsideATransactionIs503() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            startTls(client);
            expect(client, "AUTH CRAM-MD5", 504, "5.5.4");
            expect(client, "AUTH PLAIN not-base64!", 501, "5.5.2");
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret"), 235, "2.7.0");
            expect(client, "MAIL FROM:<alice@example.org>", 250, "2.1.0");
            expect(client, "AUTH PLAIN " + plain("bob@example.org", "bob-secret"), 503, "5.5.1");
        }
    }

    @Test
    void aForgedMailFromAfterAuthIsRefused() throws Exception {
        try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
            expect(client, "MAIL FROM:<bob@example.org>", 550, "5.7.1");
            expect(client, "MAIL FROM:<ceo@remote.test>", 550, "5.7.1");
            expect(client, "MAIL FROM:<>", 550, "5.7.1");
            expect(client, "MAIL FROM:<alice+lists@example.org>", 250, "2.1.0");
        }
    }

    @Test
    void aForgedFromHeaderIsRefusedAfterTheDataAndNothingIsQueued() throws Exception {
        try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
            TestReply reply = send(client, "alice@example.org", "bob@example.org",
                    "From: Bob <bob@example.org>\r\nTo: bob@example.org\r\n\r\nTrust me\r\n");
            assertReply(reply, 550, "5.7.1");
            assertThat(reply.text()).contains("bob@example.org");
            reply = send(client, "alice@example.org", "bob@example.org",
                    "From: Alice <alice@example.org>,\r\n Bob <bob@example.org>\r\n\r\nTrust us\r\n");
            assertReply(reply, 550, "5.7.1");
            reply = send(client, "alice@example.org", "bob@example.org", "Subject: no from\r\n\r\nanonymous\r\n");
            assertReply(reply, 550, "5.6.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void anAliasTheUserBelongsToMayBeUsedAsFrom() throws Exception {
        try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
            assertReply(send(client, "sales@example.org", "bob@example.org",
                    "From: Sales <sales@example.org>\r\n\r\nOffer\r\n"), 250, "2.0.0");
        }
        assertThat(server.queued()).hasSize(1);
    }

    @Test
    void mailBeforeAuthOnSubmissionIsRefusedEvenInsideTls() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            startTls(client);
            expect(client, "MAIL FROM:<alice@example.org>", 530, "5.7.0");
        }
    }

    @Test
    void authenticatedSubmissionToARemoteDomainIsQueuedForDelivery() throws Exception {
        try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
            assertReply(send(client, "alice@example.org", "friend@remote.test",
                    "From: Alice <alice@example.org>\r\n\r\nHello\r\n"), 250, "2.0.0");
        }
        assertThat(server.queued()).singleElement().satisfies(m ->
                assertThat(m.envelope().recipients().getFirst().mailbox().toString()).isEqualTo("friend@remote.test"));
    }

    @Test
    void theReceivedHeaderRecordsTlsVersionAndCipher() throws Exception {
        SSLSession tls;
        try (SmtpTestClient client = connect(server.mx())) {
            startTls(client);
            tls = ((SSLSocket) client.socket()).getSession();
            assertReply(send(client, "carol@remote.test", "alice@example.org", "From: carol@remote.test\r\n\r\nHi\r\n"), 250, "2.0.0");
        }
        QueuedMessage m = server.queued().getFirst();
        assertThat(server.content(m)).startsWith("Received: from client.example ([127.0.0.1]) by mx.example.org (Depesche) with ESMTPS id "
                + m.id() + "\r\n\t(" + tls.getProtocol() + " " + tls.getCipherSuite() + ") (cid ");
        assertThat(tls.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(m.envelope().tls().cipher()).isEqualTo(tls.getCipherSuite());
    }

    @Test
    void theSubmissionReceivedHeaderLeavesOutTheClientIpByDefault() throws Exception {
        try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
            assertReply(send(client, "alice@example.org", "bob@example.org", FROM_ALICE), 250, "2.0.0");
        }
        String received = receivedHeader(server.content(server.queued().getFirst()));
        assertThat(received).startsWith("Received: from client.example by mx.example.org (Depesche) with ESMTPSA id ")
                .doesNotContain("127.0.0.1");
    }

    @Test
    void anAddressLiteralGreetingOnSubmissionDoesNotPutTheClientIpIntoReceived() throws Exception {
        // Many mail programs greet with their own address, e.g. "EHLO [192.168.1.20]" (THREATS T9).
        try (SmtpTestClient client = connect(server.submission())) {
            startTls(client);
            expect(client, "EHLO [127.0.0.1]", 250, "");
            expect(client, "AUTH PLAIN " + plain("alice@example.org", "alice-secret"), 235, "2.7.0");
            assertReply(send(client, "alice@example.org", "bob@example.org", FROM_ALICE), 250, "2.0.0");
        }
        String received = receivedHeader(server.content(server.queued().getFirst()));
        assertThat(received).startsWith("Received: from ").contains(" by mx.example.org (Depesche) with ESMTPSA id ")
                .doesNotContain("127.0.0.1");
    }

    @Test
    void theBarePostmasterFromALoggedInUserGoesToTheLocalPostmasterNotToTheHostNameRemotely() throws Exception {
        try (SmtpTestClient client = submissionAs("bob@example.org", "bob-secret")) {
            expect(client, "MAIL FROM:<bob@example.org>", 250, "2.1.0");
            expect(client, "RCPT TO:<postmaster>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write("From: bob@example.org\r\n\r\nhello postmaster\r\n.\r\n");
            assertReply(client.read(), 250, "2.0.0");
        }
        assertThat(server.queued().getFirst().envelope().recipients()).extracting(r -> r.mailbox().toString())
                .containsExactly("alice@example.org");
    }

    @Test
    void theSubmissionReceivedHeaderHasTheClientIpWhenConfigured(@TempDir java.nio.file.Path other) throws Exception {
        try (TestServer withIp = TestServer.startWithClientIpInReceived(other)) {
            server.close();
            server = withIp;
            try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
                assertReply(send(client, "alice@example.org", "bob@example.org", FROM_ALICE), 250, "2.0.0");
            }
            assertThat(receivedHeader(server.content(server.queued().getFirst())))
                    .startsWith("Received: from client.example ([127.0.0.1]) by mx.example.org (Depesche) with ESMTPSA id ");
        }
    }

    @Test
    void commandsPipelinedAfterStarttlsAreDiscardedNotExecuted() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            expect(client, "EHLO client.example", 250, "");
            client.write("STARTTLS\r\nRSET\r\nMAIL FROM:<injected@remote.test>\r\n");
            assertReply(client.read(), 220, "2.0.0");
            try {
                client.startTls(server.tls.clientContext());
            } catch (IOException handshakeRefused) {
                // Also a pass for T11: the injected bytes reached the TLS layer as garbage and ended the session.
                return;
            }
            TestReply first = client.command("EHLO client.example");
            assertThat(first.code()).isEqualTo(250);
            assertThat(first.lines().getFirst()).isEqualTo("mx.example.org greets client.example");
            expect(client, "NOOP", 250, "2.0.0");
            // Had MAIL been executed inside TLS, this would be a nested MAIL.
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
        }
    }

    @Test
    void afterStarttlsTheClientMustGreetAgain() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            expect(client, "EHLO client.example", 250, "");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "STARTTLS", 220, "2.0.0");
            client.startTls(server.tls.clientContext());
            expect(client, "RCPT TO:<alice@example.org>", 503, "5.5.1");
            expect(client, "MAIL FROM:<carol@remote.test>", 503, "5.5.1");
        }
    }

    private static String receivedHeader(String content) {
        int end = content.indexOf("\r\n", content.indexOf("\r\n\t", content.indexOf("\r\n\t") + 3) + 3);
        return content.substring(0, end);
    }
}
