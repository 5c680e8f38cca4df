package org.depesche.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.client.ClientFixtures.BODY;
import static org.depesche.smtp.client.ClientFixtures.MX;
import static org.depesche.smtp.client.ClientFixtures.client;
import static org.depesche.smtp.client.ClientFixtures.dane;
import static org.depesche.smtp.client.ClientFixtures.message;
import static org.depesche.smtp.client.ClientFixtures.toAlice;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.dane.TlsaRecord;
import org.depesche.queue.Envelope;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.Reply;
import org.depesche.smtp.client.DeliveryAttempt.Stage;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.TlsFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dialogue with a scripted server: replies, failures, pipelining, parameters, limits. */
class SmtpClientProtocolTest {
    private ScriptedSmtpServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
    }

    private DeliveryAttempt deliver(TlsRequirement requirement, OutboundMessage message) throws Exception {
        try (SmtpClient client = client()) {
            return client.deliver(server.address(), MX, requirement, message);
        }
    }

    private static void assertReply(Reply reply, int code, String enhanced) {
        assertThat(reply.code()).as("%s", reply).isEqualTo(code);
        assertThat(reply.enhanced()).as("%s", reply).isEqualTo(enhanced);
    }

    @Test
    void daneWithoutStartTlsOnOfferFailsSaysQuitAndNeverSendsMail() throws Exception {
        server = new ScriptedSmtpServer(null);
        DeliveryAttempt attempt = deliver(dane(TlsaRecord.parse("3 1 1 " + "00".repeat(32))), toAlice());
        assertThat(attempt.failedStage().label()).isEqualTo("starttls");
        assertThat(attempt.tls().failure()).contains(TlsFailure.STARTTLS_NOT_SUPPORTED);
        assertReply(attempt.recipients().get(0).reply(), 451, "4.7.4");
        assertThat(server.received("MAIL")).isFalse();
        assertThat(server.received("QUIT")).isTrue();
    }

    @Test
    void startTlsSendsTheMxHostNameAsSniAndForgetsThePlaintextEhlo() throws Exception {
        server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
        DeliveryAttempt attempt = deliver(new TlsRequirement.Encrypted(), toAlice());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(server.serverNames()).containsExactly(MX);
        assertThat(server.commands()).containsSubsequence("EHLO sender.test", "STARTTLS", "EHLO sender.test", "MAIL FROM:<sender@sender.test> SIZE=" + BODY.length());
        assertThat(attempt.ehloKeywords()).doesNotContain("STARTTLS");
    }

    @Test
    void encryptWithoutStartTlsOnOfferFailsTheSameWay() throws Exception {
        server = new ScriptedSmtpServer(null);
        DeliveryAttempt attempt = deliver(new TlsRequirement.Encrypted(), toAlice());
        assertThat(attempt.tls().failure()).contains(TlsFailure.STARTTLS_NOT_SUPPORTED);
        assertThat(server.received("MAIL")).isFalse();
    }

    @Test
    void opportunisticWithoutStartTlsOnOfferDeliversInPlaintext() throws Exception {
        server = new ScriptedSmtpServer(null);
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), toAlice());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls()).isEqualTo(TlsOutcome.PLAINTEXT);
        assertThat(server.messages()).containsExactly(BODY);
    }

    @Test
    void aTemporaryRcptRefusalConcernsOnlyThatRecipient() throws Exception {
        server = new ScriptedSmtpServer(null).reply("RCPT TO:<bob@", "450 4.2.1 mailbox busy");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), message(BODY, "alice@example.org", "bob@example.org"));
        assertThat(attempt.completed()).isTrue();
        assertReply(attempt.recipients().get(0).reply(), 250, "2.0.0");
        assertReply(attempt.recipients().get(1).reply(), 450, "4.2.1");
        assertThat(attempt.recipients().get(1).diagnostic())
                .isEqualTo("mx.example.org [127.0.0.1] said: 450 4.2.1 mailbox busy (in reply to RCPT TO)");
        assertThat(attempt.delivered()).containsExactly(MailAddress.parse("alice@example.org"));
    }

    @Test
    void aPermanentRefusalAfterTheDataFailsEveryAcceptedRecipient() throws Exception {
        server = new ScriptedSmtpServer(null).endOfData("554 5.6.0 content rejected");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), message(BODY, "alice@example.org", "bob@example.org"));
        assertThat(attempt.failedStage()).isEqualTo(Stage.DATA);
        assertThat(attempt.contentSent()).isTrue();
        assertReply(attempt.dataReply().orElseThrow(), 554, "5.6.0");
        assertThat(attempt.recipients()).allSatisfy(r -> assertReply(r.reply(), 554, "5.6.0"));
        assertThat(attempt.message()).contains("554 5.6.0 content rejected");
    }

    @Test
    void aRefusedDataCommandSendsNoContent() throws Exception {
        server = new ScriptedSmtpServer(null).extensions("ENHANCEDSTATUSCODES").reply("DATA", "554 5.7.1 not from you");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), toAlice());
        assertThat(attempt.failedStage()).isEqualTo(Stage.DATA);
        assertThat(attempt.contentSent()).isFalse();
        assertReply(attempt.recipients().get(0).reply(), 554, "5.7.1");
        assertThat(server.messages()).isEmpty();
    }

    @Test
    void pipeliningSendsMailRcptAndDataWithoutWaitingForReplies() throws Exception {
        // The server answers MAIL and RCPT only after it has read DATA: a client that waits would hang.
        server = new ScriptedSmtpServer(null).holdRepliesUntilData().reply("RCPT TO:<carol@", "550 5.1.1 no such user");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(),
                message(BODY, "alice@example.org", "carol@example.org", "bob@example.org"));
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertReply(attempt.recipients().get(0).reply(), 250, "2.0.0");
        assertReply(attempt.recipients().get(1).reply(), 550, "5.1.1");
        assertReply(attempt.recipients().get(2).reply(), 250, "2.0.0");
        assertThat(server.commands()).containsSubsequence("MAIL FROM:<sender@sender.test> SIZE=" + BODY.length(),
                "RCPT TO:<alice@example.org>", "RCPT TO:<carol@example.org>", "RCPT TO:<bob@example.org>", "DATA");
    }

    @Test
    void withoutPipeliningEachCommandWaitsAndNoDataFollowsWhenAllRecipientsAreRefused() throws Exception {
        server = new ScriptedSmtpServer(null).extensions("ENHANCEDSTATUSCODES").reply("RCPT", "550 5.1.1 no such user");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), message(BODY, "x@example.org", "y@example.org"));
        assertThat(attempt.failedStage()).isEqualTo(Stage.RCPT);
        assertThat(attempt.recipients()).allSatisfy(r -> assertReply(r.reply(), 550, "5.1.1"));
        assertThat(server.received("DATA")).isFalse();
        assertThat(attempt.envelopeSent()).isTrue();
        assertThat(attempt.contentSent()).isFalse();
    }

    @Test
    void aRefusedMailFromGivesEveryRecipientThatReplyEvenWhenPipelined() throws Exception {
        server = new ScriptedSmtpServer(null).reply("MAIL", "550 5.7.1 sender blocked").reply("RCPT", "503 5.5.1 need MAIL")
                .reply("DATA", "503 5.5.1 need MAIL");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), message(BODY, "alice@example.org", "bob@example.org"));
        assertThat(attempt.failedStage()).isEqualTo(Stage.MAIL);
        assertThat(attempt.recipients()).allSatisfy(r -> assertReply(r.reply(), 550, "5.7.1"));
    }

    @Test
    void multiLineRepliesKeepTheirTextAndEnhancedCode() throws Exception {
        server = new ScriptedSmtpServer(null).reply("RCPT TO:<bob@", "550-5.1.1 no such user\r\n550 5.1.1 here or anywhere");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), message(BODY, "alice@example.org", "bob@example.org"));
        Reply bob = attempt.recipients().get(1).reply();
        assertReply(bob, 550, "5.1.1");
        assertThat(bob.text()).isEqualTo("no such user\nhere or anywhere");
    }

    @Test
    void enhancedCodesAreNotParsedWhenTheServerDidNotAnnounceThem() throws Exception {
        server = new ScriptedSmtpServer(null).extensions("PIPELINING").reply("RCPT TO:<bob@", "550 5.1.1 no such user");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), message(BODY, "alice@example.org", "bob@example.org"));
        Reply bob = attempt.recipients().get(1).reply();
        assertReply(bob, 550, "");
        assertThat(bob.text()).isEqualTo("5.1.1 no such user");
    }

    @Test
    void ehloRefusedFallsBackToHeloForOpportunistic() throws Exception {
        server = new ScriptedSmtpServer(null).reply("EHLO", "502 5.5.2 command not recognized");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), toAlice());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.ehloKeywords()).isEmpty();
        assertThat(server.commands()).contains("HELO sender.test");
    }

    @Test
    void ehloRefusedWithDaneNeverFallsBackToHelo() throws Exception {
        server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX))).reply("EHLO", "502 5.5.2 command not recognized");
        DeliveryAttempt attempt = deliver(dane(TlsaRecord.parse("3 1 1 " + "00".repeat(32))), toAlice());
        assertThat(attempt.tls().failure()).contains(TlsFailure.STARTTLS_NOT_SUPPORTED);
        assertThat(server.received("HELO")).isFalse();
        assertThat(server.received("MAIL")).isFalse();
    }

    @Test
    void aRefusedGreetingEndsTheAttemptWithTheServersReply() throws Exception {
        server = new ScriptedSmtpServer(null).greeting("554 5.3.2 no service for you");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), toAlice());
        assertThat(attempt.failedStage()).isEqualTo(Stage.GREETING);
        assertReply(attempt.recipients().get(0).reply(), 554, "");
        assertThat(server.received("EHLO")).isFalse();
    }

    @Test
    void aSilentServerTimesOutAtTheGreetingAsATemporaryFailure() throws Exception {
        server = new ScriptedSmtpServer(null).silent();
        try (SmtpClient client = new SmtpClient("sender.test", ClientTimeouts.all(Duration.ofMillis(300)), null, Clock.systemUTC())) {
            DeliveryAttempt attempt = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(), toAlice());
            assertThat(attempt.failedStage()).isEqualTo(Stage.GREETING);
            assertReply(attempt.recipients().get(0).reply(), 451, "4.4.2");
            assertThat(attempt.message()).contains("did not answer in time");
        }
    }

    @Test
    void aServerTricklingItsGreetingByteByByteTimesOutAsAWhole() throws Exception {
        // THREATS T14: each byte arrives well within the read timeout, the reply never ends in time.
        try (ServerSocket trickler = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = trickler.accept()) {
                    s.getOutputStream().write("220-".getBytes(StandardCharsets.US_ASCII));
                    while (true) {
                        s.getOutputStream().write('x');
                        s.getOutputStream().flush();
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    // the client hung up, as it should
                }
            });
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), trickler.getLocalPort());
            try (SmtpClient client = new SmtpClient("sender.test", ClientTimeouts.all(Duration.ofMillis(500)), null, Clock.systemUTC())) {
                DeliveryAttempt attempt = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> client.deliver(address, MX, new TlsRequirement.Opportunistic(), toAlice()));
                assertThat(attempt.failedStage()).isEqualTo(Stage.GREETING);
                assertReply(attempt.recipients().get(0).reply(), 451, "4.4.2");
                assertThat(attempt.message()).contains("did not answer in time");
            }
        }
    }

    @Test
    void aClosedPortFailsAtConnect() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        try (SmtpClient client = client()) {
            DeliveryAttempt attempt = client.deliver(closed, MX, new TlsRequirement.Opportunistic(), toAlice());
            assertThat(attempt.failedStage()).isEqualTo(Stage.CONNECT);
            assertReply(attempt.recipients().get(0).reply(), 451, "4.4.1");
            assertThat(attempt.address()).isEqualTo(closed);
            assertThat(attempt.message()).startsWith("could not connect to mx.example.org [127.0.0.1]");
        }
    }

    @Test
    void dataSentAfterTheStartTlsReplyIsTreatedAsInjection() throws Exception {
        server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)))
                .reply("STARTTLS", "220 2.0.0 go ahead\r\n250 2.0.0 injected");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Encrypted(), toAlice());
        assertThat(attempt.failedStage()).isEqualTo(Stage.STARTTLS);
        assertThat(attempt.message()).contains("sent data after its reply to STARTTLS");
        assertThat(server.received("MAIL")).isFalse();
    }

    @Test
    void aFailedOpportunisticHandshakeIsReportedForTheCallerToRetryInPlaintext() throws Exception {
        // The server says 220 to STARTTLS but never speaks TLS.
        server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX))).reply("STARTTLS", "220 2.0.0 go ahead");
        try (SmtpClient client = new SmtpClient("sender.test", ClientTimeouts.all(Duration.ofMillis(500)), null, Clock.systemUTC())) {
            DeliveryAttempt attempt = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(), toAlice());
            assertThat(attempt.failedStage()).isEqualTo(Stage.STARTTLS);
            assertThat(attempt.tls().failure()).contains(TlsFailure.HANDSHAKE_FAILED);
            assertReply(attempt.recipients().get(0).reply(), 451, "4.7.5");
            assertThat(attempt.envelopeSent()).isFalse();
        }
        assertThat(server.received("MAIL")).isFalse();
    }

    @Test
    void garbageInsteadOfAReplyIsAProtocolError() throws Exception {
        server = new ScriptedSmtpServer(null).reply("MAIL", "hello there");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), toAlice());
        assertThat(attempt.failedStage()).isEqualTo(Stage.MAIL);
        assertReply(attempt.recipients().get(0).reply(), 451, "4.5.0");
        assertThat(attempt.message()).contains("malformed reply line");
    }

    @Test
    void anOverlongReplyLineIsAProtocolError() throws Exception {
        server = new ScriptedSmtpServer(null).reply("EHLO", "250 " + "x".repeat(SmtpConnection.MAX_REPLY_LINE + 10));
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), toAlice());
        assertThat(attempt.failedStage()).isEqualTo(Stage.EHLO);
        assertThat(attempt.message()).contains("longer than");
    }

    @Test
    void aMessageLargerThanTheAnnouncedSizeIsRefusedBeforeMailFrom() throws Exception {
        server = new ScriptedSmtpServer(null).extensions("SIZE 10", "ENHANCEDSTATUSCODES");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), toAlice());
        assertThat(attempt.failedStage()).isEqualTo(Stage.MAIL);
        assertReply(attempt.recipients().get(0).reply(), 552, "5.3.4");
        assertThat(server.received("MAIL")).isFalse();
    }

    @Test
    void anInternationalAddressNeedsSmtpUtf8FromTheServer() throws Exception {
        server = new ScriptedSmtpServer(null).extensions("PIPELINING");
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), message(BODY, "jörg@example.org"));
        assertThat(attempt.failedStage()).isEqualTo(Stage.MAIL);
        assertReply(attempt.recipients().get(0).reply(), 550, "5.6.7");
        assertThat(server.received("MAIL")).isFalse();
    }

    @Test
    void sizeBodyAndSmtpUtf8ParametersAreSentWhenOffered() throws Exception {
        server = new ScriptedSmtpServer(null);
        byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
        OutboundMessage m = new OutboundMessage(Optional.empty(), List.of(MailAddress.parse("jörg@example.org")), bytes.length,
                BodyType.EIGHT_BIT_MIME, true, () -> new ByteArrayInputStream(bytes));
        DeliveryAttempt attempt = deliver(new TlsRequirement.Opportunistic(), m);
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(server.commands()).contains("MAIL FROM:<> SIZE=" + bytes.length + " BODY=8BITMIME SMTPUTF8",
                "RCPT TO:<jörg@example.org>");
    }
}
