package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.server.ServerTestSupport.assertReply;
import static org.depesche.smtp.server.ServerTestSupport.connect;
import static org.depesche.smtp.server.ServerTestSupport.expect;
import static org.depesche.smtp.server.ServerTestSupport.plaintextRelay;
import static org.depesche.smtp.server.ServerTestSupport.tlsRelay;
import static org.depesche.smtp.server.ServerTestSupport.plain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.depesche.directory.FileDirectory;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.TransportDemand;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a message demands of its onward hops, decided on receipt (issue 4):
 * REQUIRETLS offered and accepted only inside TLS (RFC 8689 2, 4.1), the
 * {@code TLS-Required: No} field (RFC 8689 3), and the floor of mail
 * submitted from a secure address or by an account that sends only over
 * authenticated TLS. Real sockets, real TLS, the real file directory.
 */
class TransportDemandReceiptTest {
    private static final String PLAIN_MESSAGE = "From: carol@remote.test\r\nSubject: hi\r\n\r\nhello\r\n";

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        FileDirectory directory = TestServer.secureDirectory(dir);
        directory.addUser("erin@example.org", "e".toCharArray());
        directory.addUser("dave@example.org", "d".toCharArray());
        directory.setAccountTls("erin@example.org", false, true); // sends only over authenticated TLS
        directory.setAccountTls("dave@example.org", true, false); // receives only over TLS: no floor for what he sends
        server = TestServer.start(dir, directory);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ---- REQUIRETLS on the wire ----------------------------------------------

    @Test
    void ehloOffersRequireTlsOnlyAfterStarttlsOnTheMxListener() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            assertThat(client.command("EHLO relay.remote.test").lines()).contains("STARTTLS").doesNotContain("REQUIRETLS");
            expect(client, "STARTTLS", 220, "2.0.0");
            client.startTls(server.tls.clientContext());
            assertThat(client.command("EHLO relay.remote.test").lines()).contains("REQUIRETLS").doesNotContain("STARTTLS");
        }
    }

    @Test
    void ehloOffersRequireTlsOnSubmissionOnlyAfterStarttlsAndAtOnceWithImplicitTls() throws Exception {
        try (SmtpTestClient client = connect(server.submission())) {
            assertThat(client.command("EHLO laptop").lines()).doesNotContain("REQUIRETLS");
            expect(client, "STARTTLS", 220, "2.0.0");
            client.startTls(server.tls.clientContext());
            assertThat(client.command("EHLO laptop").lines()).contains("REQUIRETLS");
        }
        try (SmtpTestClient client = SmtpTestClient.connectTls(server.submissions(), server.tls.clientContext())) {
            assertThat(client.read().code()).isEqualTo(220);
            assertThat(client.command("EHLO laptop").lines()).contains("REQUIRETLS");
        }
    }

    @Test
    void mailFromWithRequireTlsInPlaintextIsRefusedWith530And5710AndTheSessionGoesOn() throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            TestReply refused = expect(client, "MAIL FROM:<carol@remote.test> REQUIRETLS", 530, "5.7.10");
            assertThat(refused.text()).contains("REQUIRETLS needs an encrypted session");
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "alice@example.org", PLAIN_MESSAGE), 250, "2.0.0");
        }
        assertThat(server.queued()).singleElement().satisfies(m -> assertThat(m.envelope().demand()).isEqualTo(TransportDemand.NONE));
    }

    @Test
    void requireTlsWithAValueOrGivenTwiceIsASyntaxError() throws Exception {
        try (SmtpTestClient client = tlsRelay(server)) {
            expect(client, "MAIL FROM:<carol@remote.test> REQUIRETLS=yes", 501, "5.5.4");
            expect(client, "MAIL FROM:<carol@remote.test> REQUIRETLS REQUIRETLS", 501, "5.5.4");
            expect(client, "MAIL FROM:<carol@remote.test> REQUIRETLS", 250, "2.1.0");
        }
    }

    @Test
    void overTlsRequireTlsIsAcceptedAndTheQueuedEnvelopeDemandsItWhileTlsRequiredNoIsIgnored() throws Exception {
        try (SmtpTestClient client = tlsRelay(server)) {
            expect(client, "MAIL FROM:<carol@remote.test> SMTPUTF8 requiretls", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write("From: carol@remote.test\r\nTLS-Required: No\r\n\r\nsecret\r\n.\r\n");
            assertReply(client.read(), 250, "2.0.0");
        }
        QueuedMessage m = server.queued().getFirst();
        // RFC 8689 4.1: with REQUIRETLS the TLS-Required field "MUST be ignored".
        assertThat(m.envelope().demand()).isEqualTo(new TransportDemand(true, false, Strength.PLAINTEXT, ""));
        assertThat(server.content(m)).contains("TLS-Required: No\r\n");
    }

    // ---- TLS-Required: No ------------------------------------------------------

    @Test
    void aTlsRequiredNoFieldInAnyCaseIsRecordedAndLeftInTheMessage() throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "alice@example.org",
                    "From: carol@remote.test\r\ntls-required:\r\n  NO \r\nSubject: cert expired\r\n\r\nsee\r\n"), 250, "2.0.0");
        }
        QueuedMessage m = server.queued().getFirst();
        assertThat(m.envelope().demand()).isEqualTo(new TransportDemand(false, true, Strength.PLAINTEXT, ""));
        assertThat(server.content(m)).contains("tls-required:\r\n  NO \r\n");
    }

    @Test
    void aTlsRequiredNoFieldSentWithBdatIsRecorded() throws Exception {
        String message = "TLS-Required: No\r\nFrom: carol@remote.test\r\n\r\nhello\r\n";
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            client.write("BDAT " + message.length() + " LAST\r\n" + message);
            assertReply(client.read(), 250, "2.0.0");
        }
        assertThat(server.queued().getFirst().envelope().demand().tlsRequiredNo()).isTrue();
    }

    @Test
    void tlsRequiredInTheBodyOrTwiceInTheHeaderOrWithAnotherValueIsNotHonoured() throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "alice@example.org",
                    "From: carol@remote.test\r\n\r\nTLS-Required: No\r\n"), 250, "2.0.0");
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "alice@example.org",
                    "TLS-Required: No\r\nTLS-Required: No\r\n\r\nhi\r\n"), 250, "2.0.0");
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "alice@example.org",
                    "TLS-Required: Nope\r\n\r\nhi\r\n"), 250, "2.0.0");
        }
        assertThat(server.queued()).hasSize(3).allSatisfy(m -> assertThat(m.envelope().demand()).isEqualTo(TransportDemand.NONE));
    }

    /** RFC 8689 3: at most one field; past the bound of the kept header section a second one could hide. */
    @Test
    void tlsRequiredNoInAHeaderSectionTooLongToReadWhollyIsNotHonoured() throws Exception {
        StringBuilder header = new StringBuilder("TLS-Required: No\r\n");
        while (header.length() <= MessageSink.MAX_HEADER_SECTION) header.append("X-Pad: ").append("a".repeat(900)).append("\r\n");
        header.append("TLS-Required: No\r\n\r\nhi\r\n");
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            assertReply(ServerTestSupport.send(client, "carol@remote.test", "alice@example.org", header.toString()), 250, "2.0.0");
        }
        assertThat(server.queued()).singleElement().satisfies(m -> assertThat(m.envelope().demand()).isEqualTo(TransportDemand.NONE));
    }

    // ---- the floor of a secure sender on submission -----------------------------

    @Test
    void mailSubmittedFromAnAddressInTheSecureAliasDomainMustTravelAuthenticated() throws Exception {
        submit("alice@example.org", "a", "alice@secure.example.org", "From: Alice <alice@secure.example.org>\r\n\r\nhi\r\n");
        assertThat(onlyDemand()).isEqualTo(new TransportDemand(false, false, Strength.VERIFIED,
                "the sender alice@secure.example.org is a secure address"));
    }

    @Test
    void aSecureFromHeaderAddressGivesTheFloorEvenWhenTheEnvelopeSenderIsOrdinary() throws Exception {
        submit("alice@example.org", "a", "alice@example.org", "From: alice@secure.example.org\r\n\r\nhi\r\n");
        assertThat(onlyDemand()).isEqualTo(new TransportDemand(false, false, Strength.VERIFIED,
                "the From: address alice@secure.example.org is a secure address"));
    }

    @Test
    void anAddressMarkedSecureWithStrictnessEncryptGivesTheEncryptedFloor() throws Exception {
        submit("alice@example.org", "a", "sales+q4@example.org", "From: sales@example.org\r\n\r\nhi\r\n");
        assertThat(onlyDemand()).isEqualTo(new TransportDemand(false, false, Strength.ENCRYPTED,
                "the sender sales+q4@example.org is a secure address"));
    }

    @Test
    void theVerifyFloorOfTheFromHeaderOutranksTheEncryptFloorOfTheEnvelopeSender() throws Exception {
        submit("alice@example.org", "a", "sales@example.org", "From: alice@secure.example.org\r\n\r\nhi\r\n");
        assertThat(onlyDemand()).isEqualTo(new TransportDemand(false, false, Strength.VERIFIED,
                "the From: address alice@secure.example.org is a secure address"));
    }

    @Test
    void anAccountThatSendsOnlyOverAuthenticatedTlsGetsTheFloorForAnyOfItsAddresses() throws Exception {
        submit("erin@example.org", "e", "erin@example.org", "From: erin@example.org\r\n\r\nhi\r\n");
        assertThat(onlyDemand()).isEqualTo(new TransportDemand(false, false, Strength.VERIFIED,
                "the account erin@example.org sends only over authenticated TLS"));
    }

    @Test
    void anOrdinarySenderAndAnAccountThatOnlyReceivesOverTlsDemandNothing() throws Exception {
        submit("alice@example.org", "a", "alice@example.org", "From: alice@example.org\r\n\r\nhi\r\n");
        submit("dave@example.org", "d", "dave@example.org", "From: dave@example.org\r\n\r\nhi\r\n");
        assertThat(server.queued()).hasSize(2).allSatisfy(m -> assertThat(m.envelope().demand()).isEqualTo(TransportDemand.NONE));
    }

    @Test
    void theFloorOfASecureSenderWinsOverTlsRequiredNo() throws Exception {
        submit("alice@example.org", "a", "alice@secure.example.org",
                "From: alice@secure.example.org\r\nTLS-Required: No\r\n\r\nhi\r\n");
        TransportDemand d = onlyDemand();
        assertThat(d.floor()).isEqualTo(Strength.VERIFIED);
        assertThat(d.tlsRequiredNo()).isFalse();
    }

    @Test
    void anOrdinarySubmitterMayAskForTlsRequiredNo() throws Exception {
        submit("alice@example.org", "a", "alice@example.org", "From: alice@example.org\r\nTLS-Required: No\r\n\r\nhi\r\n");
        assertThat(onlyDemand()).isEqualTo(new TransportDemand(false, true, Strength.PLAINTEXT, ""));
    }

    @Test
    void mailFromOutsideNamingASecureSenderGetsNoFloorOnTheMxListener() throws Exception {
        try (SmtpTestClient client = tlsRelay(server)) {
            assertReply(ServerTestSupport.send(client, "alice@secure.example.org", "bob@example.org",
                    "From: alice@secure.example.org\r\n\r\nhi\r\n"), 250, "2.0.0");
        }
        assertThat(onlyDemand()).isEqualTo(TransportDemand.NONE);
    }

    // ---- helpers ------------------------------------------------------------------

    /** Port 587, STARTTLS, AUTH PLAIN, one message to a remote recipient. */
    private void submit(String login, String password, String sender, String message) throws IOException {
        try (SmtpTestClient client = connect(server.submission())) {
            expect(client, "EHLO laptop", 250, "");
            expect(client, "STARTTLS", 220, "2.0.0");
            client.startTls(server.tls.clientContext());
            expect(client, "EHLO laptop", 250, "");
            expect(client, "AUTH PLAIN " + plain(login, password), 235, "2.7.0");
            assertReply(ServerTestSupport.send(client, sender, "friend@remote.test", message), 250, "2.0.0");
        }
    }

    private TransportDemand onlyDemand() throws IOException {
        List<QueuedMessage> queued = server.queued();
        assertThat(queued).hasSize(1);
        return queued.getFirst().envelope().demand();
    }
}
