package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.server.ServerTestSupport.expect;
import static org.depesche.smtp.server.ServerTestSupport.plaintextRelay;
import static org.depesche.smtp.server.ServerTestSupport.tlsRelay;

import java.nio.file.Path;

import org.depesche.directory.FileDirectory;
import org.depesche.queue.QueuedMessage;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8, finding 8: the directory compares domains by their UTS #46 key, so
 * a local domain and a secure alias domain are recognised at RCPT however the
 * client spells them (the alternative dots U+3002, U+FF0E, U+FF61, upper case,
 * fullwidth letters), and a spelling cannot slip past the TLS rule of a
 * secure alias domain (THREATS T2b).
 */
class DomainSpellingRcptTest {
    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        FileDirectory directory = TestServer.secureDirectory(dir); // example.org, secure alias secure.example.org
        server = TestServer.start(dir, directory);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"example\u3002org", "example\uFF0Eorg", "example\uFF61org", "EXAMPLE.ORG",
            "\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45.org", "example.org."})
    void mailToAliceInEverySpellingOfTheLocalDomainIsLocalAndReachesHerMailbox(String domain) throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test> SMTPUTF8", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@" + domain + ">", 250, "2.1.5"); // the MX relays nothing: local, or 550 5.7.1
            assertThat(client.command("DATA").code()).isEqualTo(354);
            client.write("From: carol@remote.test\r\nSubject: hi\r\n\r\nhello\r\n.\r\n");
            assertThat(client.read().code()).isEqualTo(250);
        }
        QueuedMessage m = server.queued().getFirst();
        assertThat(m.envelope().recipients().getFirst().mailbox()).isEqualTo(MailAddress.parse("alice@example.org"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"secure\u3002example\u3002org", "secure\uFF0Eexample\uFF0Eorg", "secure\uFF61example\uFF61org",
            "SECURE.EXAMPLE.ORG", "\uFF53\uFF45\uFF43\uFF55\uFF52\uFF45.example.org"})
    void everySpellingOfTheSecureAliasDomainIsRefusedInPlaintextWith5710(String domain) throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test> SMTPUTF8", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@" + domain + ">", 550, "5.7.10");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"secure\u3002example\u3002org", "\uFF53\uFF45\uFF43\uFF55\uFF52\uFF45.example.org"})
    void afterStarttlsEverySpellingOfTheSecureAliasDomainReachesTheSameMailbox(String domain) throws Exception {
        try (SmtpTestClient client = tlsRelay(server)) {
            expect(client, "MAIL FROM:<carol@remote.test> SMTPUTF8", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@" + domain + ">", 250, "2.1.5");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"example\u3002org", "EXAMPLE\uFF0EORG"})
    void aNonAsciiSpellingStillNeedsSmtputf8(String domain) throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@" + domain + ">", 553, "5.6.7"); // RFC 6531 3.4
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab--cd.org", "-example.org", "example\u3002\u3002org", "ex_ample.org", "xn--zz.org"})
    void aDomainThatUts46RejectsIsA501SyntaxReplyAtRcpt(String domain) throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "MAIL FROM:<carol@remote.test> SMTPUTF8", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@" + domain + ">", 501, "5.1.3");
        }
    }
}
