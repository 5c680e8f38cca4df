package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.FileDirectory;
import org.depesche.queue.Recipient;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with the production directory (Argon2id hashes on disk), the
 * session log line, the transcript without secrets, and a full disk.
 */
class SmtpIntegrationTest {
    @TempDir
    Path dir;
    private TestServer server;
    private CapturedLogs logged;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (logged != null) logged.close();
    }

    private FileDirectory fileDirectory() throws Exception {
        // Small Argon2id parameters: the same code path as production, only cheaper.
        PasswordHasher hasher = new PasswordHasher(64, 1, 1, 2, new SecureRandom());
        FileDirectory directory = new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(), hasher);
        directory.addDomain("example.org");
        directory.addUser("alice@example.org", "correct horse".toCharArray());
        directory.addUser("bob@example.org", "battery staple".toCharArray());
        directory.addAlias("team@example.org", List.of("alice@example.org", "bob@example.org"));
        return directory;
    }

    @Test
    void aUserOfTheFileDirectorySubmitsOverImplicitTlsAndTheSessionIsLoggedOnceWithoutTheirPassword() throws Exception {
        server = TestServer.start(dir, fileDirectory());
        logged = CapturedLogs.start();
        String credentials = ServerTestSupport.plain("alice@example.org", "correct horse");
        try (SmtpTestClient client = SmtpTestClient.connectTls(server.submissions(), server.tls.clientContext())) {
            assertThat(client.read().code()).isEqualTo(220);
            ServerTestSupport.expect(client, "EHLO laptop", 250, "");
            ServerTestSupport.expect(client, "AUTH PLAIN " + ServerTestSupport.plain("alice@example.org", "wrong"), 535, "5.7.8");
            ServerTestSupport.expect(client, "AUTH PLAIN " + credentials, 235, "2.7.0");
            TestReply reply = ServerTestSupport.send(client, "alice+news@example.org", "team@example.org",
                    "From: Alice <alice@example.org>\r\nSubject: team\r\n\r\nHello team\r\n");
            ServerTestSupport.assertReply(reply, 250, "2.0.0");
            ServerTestSupport.expect(client, "QUIT", 221, "2.0.0");
        }
        server.close(); // waits for the session to end, so its log line is written
        var message = server.queued().getFirst();
        assertThat(message.envelope().recipients()).containsExactly(
                new Recipient(MailAddress.parse("team@example.org"), MailAddress.parse("alice@example.org")),
                new Recipient(MailAddress.parse("team@example.org"), MailAddress.parse("bob@example.org")));

        List<String> lines = logged.lines();
        assertThat(lines).noneMatch(l -> l.contains(credentials) || l.contains("correct horse"));
        assertThat(lines).contains("C: AUTH PLAIN <redacted>");
        List<String> sessionEnds = lines.stream().filter(l -> l.startsWith("session end")).toList();
        assertThat(sessionEnds).hasSize(1);
        assertThat(sessionEnds.getFirst())
                .contains("cid=" + message.envelope().connectionId(), "listener=SUBMISSIONS", "peer=127.0.0.1",
                        "helo=laptop", "tls=\"TLSv1.3 TLS_", "user=alice@example.org", "messages=[" + message.id() + "]",
                        "result=\"quit\"", "durationMs=");
    }

    @Test
    void theMxListenerDeliversToAnAliasAndPostmasterOfTheFileDirectory() throws Exception {
        server = TestServer.start(dir, fileDirectory());
        try (SmtpTestClient client = ServerTestSupport.connect(server.mx())) {
            ServerTestSupport.expect(client, "EHLO relay.remote.test", 250, "");
            ServerTestSupport.expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            ServerTestSupport.expect(client, "RCPT TO:<Team@Example.org>", 250, "2.1.5");
            ServerTestSupport.expect(client, "RCPT TO:<postmaster@example.org>", 250, "2.1.5");
            ServerTestSupport.expect(client, "RCPT TO:<postmaster>", 250, "2.1.5"); // no domain: RFC 5321 4.1.1.3
            ServerTestSupport.expect(client, "RCPT TO:<mallory@example.org>", 550, "5.1.1");
            ServerTestSupport.expect(client, "DATA", 354, "");
            client.write("From: carol@remote.test\r\n\r\nhi\r\n.\r\n");
            ServerTestSupport.assertReply(client.read(), 250, "2.0.0");
        }
        assertThat(server.queued().getFirst().envelope().recipients()).extracting(r -> r.mailbox().toString())
                .contains("alice@example.org", "bob@example.org");
    }

    @Test
    void mailIsRefusedWith452WhenTheDiskCannotKeepItsReserve() throws Exception {
        server = TestServer.start(dir, TestServer.limits(l -> {
            l.minFreeDisk = Long.MAX_VALUE;
            return l;
        }));
        try (SmtpTestClient client = ServerTestSupport.connect(server.mx())) {
            ServerTestSupport.expect(client, "EHLO relay.remote.test", 250, "");
            ServerTestSupport.expect(client, "MAIL FROM:<carol@remote.test> SIZE=1000", 452, "4.3.1");
            ServerTestSupport.expect(client, "NOOP", 250, "2.0.0");
        }
    }

    @Test
    void aFullQueueDiskIsAnswered452AndNothingIsAccepted() throws Exception {
        server = TestServer.startWithFullDisk(dir);
        try (SmtpTestClient client = ServerTestSupport.connect(server.mx())) {
            ServerTestSupport.expect(client, "EHLO relay.remote.test", 250, "");
            ServerTestSupport.expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            ServerTestSupport.expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            TestReply reply = ServerTestSupport.expect(client, "DATA", 452, "4.3.1");
            assertThat(reply.text()).startsWith("Insufficient system storage");
            ServerTestSupport.expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.queued()).isEmpty();
    }
}
