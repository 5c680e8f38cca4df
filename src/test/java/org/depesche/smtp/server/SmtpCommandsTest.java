package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.depesche.mail.BodyType;
import org.depesche.queue.Envelope;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.Test;

/** Every command and extension on the MX listener, in plaintext. */
class SmtpCommandsTest extends ServerTestSupport {

    private static final String MESSAGE = "From: Carol <carol@remote.test>\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nHello Alice\r\n";

    @Test
    void theGreetingNamesTheHostAndAConnectionId() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect(server.mx())) {
            TestReply greeting = client.read();
            assertThat(greeting.code()).isEqualTo(220);
            assertThat(greeting.text()).matches("mx\\.example\\.org ESMTP Depesche ready \\[[a-z2-9]{12}\\]");
        }
    }

    @Test
    void ehloOnTheMxListenerOffersEveryExtensionButNeverAuth() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            TestReply ehlo = client.command("EHLO client.example");
            assertThat(ehlo.code()).isEqualTo(250);
            assertThat(ehlo.lines().getFirst()).startsWith("mx.example.org");
            assertThat(ehlo.lines()).contains("PIPELINING", "SIZE 100000", "8BITMIME", "SMTPUTF8",
                    "ENHANCEDSTATUSCODES", "CHUNKING", "STARTTLS");
            assertThat(ehlo.lines()).noneMatch(l -> l.startsWith("AUTH"));
        }
    }

    @Test
    void heloIsAnsweredWithTheHostName() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            TestReply helo = client.command("HELO client.example");
            assertThat(helo.code()).isEqualTo(250);
            assertThat(helo.text()).isEqualTo("mx.example.org");
        }
    }

    @Test
    void ehloWithoutADomainOrWithBadCharactersIsASyntaxError() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            expect(client, "EHLO", 501, "5.5.4");
            expect(client, "EHLO bad(host)", 501, "5.5.4");
        }
    }

    @Test
    void noopHelpAndVrfyAnswerWithoutRevealingWhetherAUserExists() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "NOOP", 250, "2.0.0");
            assertThat(expect(client, "HELP", 214, "2.0.0").text()).contains("EHLO", "BDAT", "STARTTLS");
            TestReply known = expect(client, "VRFY alice@example.org", 252, "2.5.2");
            TestReply unknown = expect(client, "VRFY nobody@example.org", 252, "2.5.2");
            assertThat(known.text()).isEqualTo(unknown.text());
        }
    }

    @Test
    void anUnknownCommandIs500AndTheReplyCarriesTheConnectionId() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connect(server.mx())) {
            Matcher m = Pattern.compile("\\[([a-z2-9]{12})\\]").matcher(client.read().text());
            assertThat(m.find()).isTrue();
            TestReply reply = expect(client, "FROB something", 500, "5.5.2");
            assertThat(reply.text()).endsWith(" [" + m.group(1) + "]");
        }
    }

    @Test
    void commandsOutOfSequenceAre503() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test>", 503, "5.5.1");
            expect(client, "EHLO client.example", 250, "");
            expect(client, "RCPT TO:<alice@example.org>", 503, "5.5.1");
            expect(client, "DATA", 503, "5.5.1");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "MAIL FROM:<carol@remote.test>", 503, "5.5.1");
            expect(client, "DATA", 554, "5.5.1");
        }
    }

    @Test
    void aMessageIsQueuedWithAReceivedHeaderAndDotsUnstuffed() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            TestReply reply = send(client, "carol@remote.test", "alice@example.org", MESSAGE + "..leading dot\r\n");
            assertReply(reply, 250, "2.0.0");
            List<QueuedMessage> queued = server.queued();
            assertThat(queued).hasSize(1);
            QueuedMessage m = queued.getFirst();
            assertThat(reply.text()).isEqualTo("Ok: queued as " + m.id());
            String content = server.content(m);
            assertThat(content).startsWith("Received: from client.example ([127.0.0.1]) by mx.example.org (Depesche) with ESMTP id "
                    + m.id() + "\r\n\t(cid " + m.envelope().connectionId() + ") for <alice@example.org>;\r\n\t");
            assertThat(content).endsWith(MESSAGE + ".leading dot\r\n");
            Envelope env = m.envelope();
            assertThat(env.sender()).contains(MailAddress.parse("carol@remote.test"));
            assertThat(env.recipients()).containsExactly(
                    new Recipient(MailAddress.parse("alice@example.org"), MailAddress.parse("alice@example.org")));
            assertThat(env.peerAddress()).isEqualTo("127.0.0.1");
            assertThat(env.tls().isEncrypted()).isFalse();
            assertThat(env.authenticatedUser()).isEmpty();
            assertThat(env.bodyType()).isEqualTo(BodyType.SEVEN_BIT);
        }
    }

    @Test
    void theNullSenderIsAcceptedOnTheMxListenerForBounces() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(MESSAGE + ".\r\n");
            assertReply(client.read(), 250, "2.0.0");
            assertThat(server.queued().getFirst().envelope().sender()).isEmpty();
        }
    }

    @Test
    void mailParametersBodySmtputf8AndSizeAreKeptInTheEnvelope() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<jörg@remote.test> BODY=8BITMIME SMTPUTF8 SIZE=200", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write("From: jörg@remote.test\r\n\r\nGrüße\r\n.\r\n");
            assertReply(client.read(), 250, "2.0.0");
            Envelope env = server.queued().getFirst().envelope();
            assertThat(env.bodyType()).isEqualTo(BodyType.EIGHT_BIT_MIME);
            assertThat(env.smtpUtf8()).isTrue();
            assertThat(env.sender().orElseThrow().localPart()).isEqualTo("jörg");
        }
    }

    @Test
    void anInternationalAddressWithoutSmtputf8IsRefused() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<jörg@remote.test>", 553, "5.6.7");
        }
    }

    @Test
    void unknownMailAndRcptParametersAre555AndBadOnesAre501() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test> RET=HDRS", 555, "5.5.4");
            expect(client, "MAIL FROM:<carol@remote.test> BODY=BINARYMIME", 501, "5.5.4");
            expect(client, "MAIL FROM:carol@remote.test", 501, "5.5.4");
            expect(client, "MAIL FROM:<not an address>", 501, "5.1.7");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org> NOTIFY=NEVER", 555, "5.5.4");
        }
    }

    @Test
    void aSizeAboveTheLimitIsRefusedAtMail() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test> SIZE=100001", 552, "5.3.4");
            expect(client, "MAIL FROM:<carol@remote.test> SIZE=100000", 250, "2.1.0");
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            client.write("MAIL FROM:<carol@remote.test>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
                    + "RCPT TO:<bob@example.org>\r\nDATA\r\n");
            assertReply(client.read(), 250, "2.1.0");
            assertReply(client.read(), 250, "2.1.5");
            assertReply(client.read(), 550, "5.1.1");
            assertReply(client.read(), 250, "2.1.5");
            assertThat(client.read().code()).isEqualTo(354);
            client.write(MESSAGE + ".\r\nMAIL FROM:<carol@remote.test>\r\nRSET\r\nQUIT\r\n");
            assertReply(client.read(), 250, "2.0.0");
            assertReply(client.read(), 250, "2.1.0");
            assertReply(client.read(), 250, "2.0.0");
            assertReply(client.read(), 221, "2.0.0");
            assertThat(server.queued().getFirst().envelope().recipients()).extracting(r -> r.mailbox().toString())
                    .containsExactly("alice@example.org", "bob@example.org");
        }
    }

    @Test
    void rsetAndEhloForgetTheTransaction() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RSET", 250, "2.0.0");
            expect(client, "RCPT TO:<alice@example.org>", 503, "5.5.1");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "EHLO client.example", 250, "");
            expect(client, "RCPT TO:<alice@example.org>", 503, "5.5.1");
        }
    }

    @Test
    void quitIsAnsweredWith221AndTheServerCloses() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "QUIT", 221, "2.0.0");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aliasesAndRepeatedRecipientsDeliverOncePerMailbox() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<sales@example.org>", 250, "2.1.5");
            expect(client, "RCPT TO:<Alice+news@example.org>", 250, "2.1.5");
            expect(client, "RCPT TO:<sales@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(MESSAGE + ".\r\n");
            assertReply(client.read(), 250, "2.0.0");
            assertThat(server.queued().getFirst().envelope().recipients()).containsExactly(
                    new Recipient(MailAddress.parse("sales@example.org"), MailAddress.parse("alice@example.org")),
                    new Recipient(MailAddress.parse("sales@example.org"), MailAddress.parse("bob@example.org")));
        }
    }

    @Test
    void bdatChunksAreJoinedIntoOneMessageWithoutDotUnstuffing() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            String first = "From: carol@remote.test\r\n";
            String second = "\r\n..two dots stay\r\n.\r\n";
            client.write("BDAT " + first.length() + "\r\n" + first);
            assertReply(client.read(), 250, "2.0.0");
            client.write("BDAT " + second.length() + " LAST\r\n" + second);
            TestReply last = client.read();
            assertReply(last, 250, "2.0.0");
            QueuedMessage m = server.queued().getFirst();
            assertThat(last.text()).isEqualTo("Ok: queued as " + m.id());
            assertThat(server.content(m)).endsWith(first + second);
        }
    }

    @Test
    void pipelinedBdatWithLastAloneDeliversTheMessage() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            byte[] body = MESSAGE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            client.write("MAIL FROM:<carol@remote.test>\r\nRCPT TO:<alice@example.org>\r\nBDAT " + body.length + " LAST\r\n" + MESSAGE);
            assertReply(client.read(), 250, "2.1.0");
            assertReply(client.read(), 250, "2.1.5");
            assertReply(client.read(), 250, "2.0.0");
            assertThat(server.content(server.queued().getFirst())).endsWith(MESSAGE);
        }
    }

    @Test
    void dataInTheMiddleOfBdatIsRefusedAndBdatWithoutMailIsRefusedAfterReadingItsChunk() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            client.write("BDAT 4\r\nNOOP");
            assertReply(client.read(), 503, "5.5.1");
            expect(client, "NOOP", 250, "2.0.0");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            client.write("BDAT 5\r\nabcde");
            assertReply(client.read(), 250, "2.0.0");
            expect(client, "DATA", 503, "5.5.1");
            expect(client, "BDAT x", 501, "5.5.4");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void theBarePostmasterIsAcceptedAndDeliveredAlthoughTheHostNameIsNoLocalDomain() throws Exception {
        // RFC 5321 4.1.1.3 and 4.5.1: "RCPT TO:<Postmaster>" without a domain must be accepted;
        // here the host name mx.example.org is not a local domain, only example.org is.
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<Postmaster>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(MESSAGE + ".\r\n");
            assertReply(client.read(), 250, "2.0.0");
            assertThat(server.queued().getFirst().envelope().recipients()).extracting(Recipient::mailbox)
                    .containsExactly(MailAddress.parse("alice@example.org"));
        }
    }

    @Test
    void aRefusedBdatFailsTheTransactionSoLaterChunksCannotMakeAMessageWithoutIt() throws Exception {
        // RFC 3030 4.2: after a 4xx/5xx to BDAT the transaction has failed; chunks still in the pipeline are discarded.
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            String first = "From: first@chunk.x\r\n";
            String second = "\r\nsecond chunk\r\n";
            client.write("BDAT " + first.length() + "\r\n" + first);
            assertReply(client.read(), 554, "5.5.1");
            expect(client, "RCPT TO:<alice@example.org>", 503, "5.5.1");
            client.write("BDAT " + second.length() + " LAST\r\n" + second);
            assertReply(client.read(), 503, "5.5.1");
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void bdatZeroLastEndsAMessageSentInEarlierChunks() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            byte[] body = MESSAGE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            client.write("BDAT " + body.length + "\r\n" + MESSAGE);
            assertReply(client.read(), 250, "2.0.0");
            expect(client, "BDAT 0 LAST", 250, "2.0.0");
        }
        assertThat(server.content(server.queued().getFirst())).endsWith(MESSAGE);
    }

    @Test
    void addressesOutsideTheRfc5321SyntaxAreRefusedSoTheyNeverReachReceivedOrReturnPath() throws Exception {
        // RFC 5321 4.1.2: a local part is a Dot-string of atext or a Quoted-string. Anything else would be
        // copied into "for <...>" and "Return-Path: <...>", where ";", "(" or a lone quote upset header parsers.
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol(x@remote.test>", 501, "5.1.7");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice+x;y(z)\"q@example.org>", 501, "5.1.3");
            expect(client, "RCPT TO:<\"unterminated@example.org>", 501, "5.1.3");
            expect(client, "RCPT TO:<alice+news.2026_{x}~!#$%&'*/=?^`|@example.org>", 250, "2.1.5");
        }
    }
}
