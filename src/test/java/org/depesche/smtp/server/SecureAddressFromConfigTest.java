package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.server.ServerTestSupport.assertReply;
import static org.depesche.smtp.server.ServerTestSupport.connect;
import static org.depesche.smtp.server.ServerTestSupport.expect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

import org.depesche.config.Config;
import org.depesche.configfile.ConfigLoader;
import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.FileDirectory;
import org.depesche.directory.SecureSettings;
import org.depesche.queue.QueuedMessage;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An address made secure only in depesche.toml (THREATS T2b), nothing in
 * directory.json: the MX listener refuses it in plaintext with 5.7.10 and
 * takes it after STARTTLS, also in the alias domain the config declares.
 */
class SecureAddressFromConfigTest {
    private static final String MESSAGE = "From: carol@remote.test\r\nSubject: hi\r\n\r\nhello\r\n";

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        PasswordHasher hasher = new PasswordHasher(64, 1, 1, 2, new SecureRandom());
        FileDirectory plain = new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(), hasher);
        plain.addDomain("example.org");
        plain.addUser("alice@example.org", "a".toCharArray());
        Path toml = dir.resolve("depesche.toml");
        Files.writeString(toml, """
                [[secure.domain]]
                domain = "example.org"
                alias = "tls.example.org"

                [[secure.address]]
                address = "alice@example.org"
                """);
        Config config = ConfigLoader.load(toml);
        server = TestServer.start(dir, new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(), hasher,
                SecureSettings.from(config.secure())));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void plaintextRcptToAnAddressSecureOnlyInTheConfigIsRefusedWith5710() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            expect(client, "EHLO relay.remote.test", 250, "");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            TestReply refused = expect(client, "RCPT TO:<alice@example.org>", 550, "5.7.10");
            assertThat(refused.text()).startsWith("alice@example.org accepts mail only over TLS; your server did not use STARTTLS");
            expect(client, "RCPT TO:<alice@tls.example.org>", 550, "5.7.10");
            expect(client, "QUIT", 221, "2.0.0");
        }
        assertThat(server.queued()).allSatisfy(m -> assertThat(server.content(m)).doesNotContain("hello"));
    }

    @Test
    void overStarttlsBothTheAddressAndTheConfiguredAliasDomainAcceptTheMail() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            expect(client, "EHLO relay.remote.test", 250, "");
            expect(client, "STARTTLS", 220, "2.0.0");
            client.startTls(server.tls.clientContext());
            expect(client, "EHLO relay.remote.test", 250, "");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "RCPT TO:<Alice@tls.example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(MESSAGE + ".\r\n");
            assertReply(client.read(), 250, "2.0.0");
        }
        QueuedMessage m = server.queued().getFirst();
        // Both name one mailbox, which gets the message once.
        assertThat(m.envelope().recipients()).extracting(r -> r.mailbox().toString()).containsExactly("alice@example.org");
        assertThat(m.envelope().tls().isEncrypted()).isTrue();
    }
}
