package org.depesche;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.depesche.config.Config;
import org.depesche.config.HostPort;
import org.depesche.crypto.PasswordHasher;
import org.depesche.dane.TlsaRecord;
import org.depesche.directory.FileDirectory;
import org.depesche.dns.TestDns;
import org.depesche.smtp.server.ListenerKind;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole sending server from its config: a user submits over port 465
 * with AUTH, Depesche looks the recipient's domain up in a DNSSEC-signed
 * test hierarchy (the [dns] section points at it) and delivers over
 * DANE-verified TLS to the receiving MX on the configured port.
 */
class DepescheOutboundTest {
    private static final String MX = "mx.example.org";

    @TempDir
    Path dir;

    @Test
    void authenticatedSubmissionToARemoteDomainIsDeliveredOverDane() throws Exception {
        TestPki.Identity receiver = TestPki.selfSigned(MX);
        TestPki.Identity sender = TestPki.selfSigned("mx.sender.test");
        try (DepescheMx mx = DepescheMx.start(dir.resolve("mx"), receiver);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                     .tlsa("_" + mx.address().getPort() + "._tcp." + MX, 3, 1, 1, TlsaRecord.of(3, 1, 1, receiver.certificate()).data())
                     .start();
             Depesche depesche = new Depesche(config(sender, dns, mx.address().getPort()), Clock.systemUTC())) {
            depesche.start();
            String reply = submit(depesche.address(ListenerKind.SUBMISSIONS), sender, "alice@example.org");
            assertThat(reply).startsWith("250 2.0.0");
            for (int i = 0; i < 300 && mx.queued().isEmpty(); i++) Thread.sleep(100);
            assertThat(mx.queued()).singleElement().satisfies(m -> {
                assertThat(m.envelope().sender()).get().hasToString("ann@sender.test");
                assertThat(m.envelope().tls().isEncrypted()).isTrue();
            });
            // The receiving MX has the message before the sender has read its 250 and recorded the delivery.
            var memory = new org.depesche.policy.FileDowngradeMemory(dir.resolve("data/policy"));
            for (int i = 0; i < 300 && memory.get("example.org").isEmpty(); i++) Thread.sleep(100);
            assertThat(memory.get("example.org"))
                    .get().extracting(e -> e.protection()).isEqualTo(org.depesche.transport.Strength.DANE_VERIFIED);
        }
    }

    private Config config(TestPki.Identity identity, TestDns dns, int smtpPort) throws Exception {
        Path data = dir.resolve("data");
        FileDirectory directory = new FileDirectory(data.resolve("directory.json"), Clock.systemUTC(),
                new PasswordHasher(64, 1, 1, 2, new SecureRandom()));
        directory.addDomain("sender.test");
        directory.addUser("ann@sender.test", "secret".toCharArray());
        TestPki.writePem(identity, dir.resolve("tls/cert.pem"), dir.resolve("tls/key.pem"));
        Path anchor = dir.resolve("root.ds");
        Files.writeString(anchor, dns.trustAnchor());
        HostPort any = new HostPort("127.0.0.1", 0);
        InetSocketAddress resolver = dns.address();
        return Config.builder().hostname("mx.sender.test").dataDir(data).listen(new Config.Listen(any, any, any))
                .tls(new Config.Tls(dir.resolve("tls/cert.pem"), dir.resolve("tls/key.pem"), null))
                .dns(new Config.Dns(null, List.of("127.0.0.1:" + resolver.getPort()), anchor, Duration.ofSeconds(2)))
                .delivery(new Config.Delivery(null, smtpPort, null, Duration.ofSeconds(10), Duration.ofSeconds(20), null, null, null))
                .build();
    }

    /** Port 465 (RFC 8314), AUTH PLAIN, one message; returns the reply to the end of data. */
    private static String submit(InetSocketAddress at, TestPki.Identity server, String rcpt) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(TestPki.trustStore(server.certificate()));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(at.getAddress(), at.getPort())) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(reply(in)).startsWith("220 ");
            assertThat(command(out, in, "EHLO client.sender.test")).startsWith("250 ");
            String plain = Base64.getEncoder().encodeToString("\0ann@sender.test\0secret".getBytes(StandardCharsets.UTF_8));
            assertThat(command(out, in, "AUTH PLAIN " + plain)).startsWith("235 2.7.0");
            assertThat(command(out, in, "MAIL FROM:<ann@sender.test>")).startsWith("250 2.1.0");
            assertThat(command(out, in, "RCPT TO:<" + rcpt + ">")).startsWith("250 2.1.5");
            assertThat(command(out, in, "DATA")).startsWith("354 ");
            return command(out, in, "From: Ann <ann@sender.test>\r\nTo: " + rcpt + "\r\nSubject: hi\r\n\r\nover DANE\r\n.");
        }
    }

    private static String command(OutputStream out, BufferedReader in, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply(in);
    }

    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
