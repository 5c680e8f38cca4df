package org.depesche;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import org.depesche.config.Config;
import org.depesche.config.HostPort;
import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.FileDirectory;
import org.depesche.smtp.server.ListenerKind;
import org.depesche.tls.SelfSignedCertificate;
import org.depesche.tls.TlsConfigException;
import org.depesche.testsupport.ConnectProxy;
import org.depesche.testsupport.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composition root with every real part: a mail to the MX listener ends up in the Maildir. */
class DepescheTest {
    @TempDir
    Path dir;

    private Config config() throws Exception {
        Path data = dir.resolve("data");
        FileDirectory directory = new FileDirectory(data.resolve("directory.json"), Clock.systemUTC(),
                new PasswordHasher(64, 1, 1, 2, new SecureRandom()));
        directory.addDomain("example.test");
        directory.addUser("alice@example.test", "pw".toCharArray());
        directory.addAlias("postmaster@example.test", List.of("alice@example.test"));
        SelfSignedCertificate.generate("mx.example.test", Clock.systemUTC())
                .writePem(dir.resolve("tls/cert.pem"), dir.resolve("tls/key.pem"));
        HostPort any = new HostPort("127.0.0.1", 0);
        return Config.builder().hostname("mx.example.test").dataDir(data).listen(new Config.Listen(any, any, any))
                .tls(new Config.Tls(dir.resolve("tls/cert.pem"), dir.resolve("tls/key.pem"), null)).build();
    }

    @Test
    void aMailToTheMxListenerForPostmasterIsDeliveredIntoTheAccountsMaildir() throws Exception {
        try (Depesche depesche = new Depesche(config(), Clock.systemUTC())) {
            depesche.start();
            assertThat(depesche.address(ListenerKind.SUBMISSION)).isNotNull();
            assertThat(depesche.address(ListenerKind.SUBMISSIONS)).isNotNull();
            String reply = sendPlain(depesche.address(ListenerKind.SMTP), "PostMaster@example.test", "Subject: hello\r\n\r\nfirst mail\r\n");
            assertThat(reply).startsWith("250 2.0.0");

            Path newDir = dir.resolve("data/mail/example.test/alice/new");
            // Delivery runs from the queue right after the commit; wait for it, bounded.
            for (int i = 0; i < 300 && !hasFiles(newDir); i++) Thread.sleep(100);
            try (Stream<Path> files = Files.list(newDir)) {
                List<Path> mail = files.toList();
                assertThat(mail).hasSize(1);
                assertThat(Files.readString(mail.get(0))).contains("first mail").contains("Received: ");
            }
        }
    }

    @Test
    void theMtaStsListenerIsOffByDefaultAndServesTheConfiguredPolicyWhenEnabled() throws Exception {
        Config plain = config();
        try (Depesche depesche = new Depesche(plain, Clock.systemUTC())) {
            depesche.start();
            assertThat(depesche.mtaStsAddress()).isNull();
        }
        TestPki.Identity ca = TestPki.ca("Test CA");
        TestPki.writePem(TestPki.leaf(ca, "mx.example.test", "mta-sts.example.test"), plain.tls().certificate(), plain.tls().key());
        Config enabled = plain.toBuilder()
                .mtaSts(new Config.MtaSts("127.0.0.1:0", "enforce", List.of("mx.example.test"), java.time.Duration.ofDays(1)))
                .build();
        try (Depesche depesche = new Depesche(enabled, Clock.systemUTC());
             ConnectProxy proxy = new ConnectProxy()) {
            depesche.start();
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(TestPki.trustStore(ca.certificate()));
            javax.net.ssl.SSLContext trust = javax.net.ssl.SSLContext.getInstance("TLS");
            trust.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(trust).proxy(proxy.selector()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://mta-sts.example.test:"
                    + depesche.mtaStsAddress().getPort() + "/.well-known/mta-sts.txt")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n");
        }
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateStopsTheServerBeforeItListens() throws Exception {
        Config config = config();
        Files.writeString(config.tls().key(), SelfSignedCertificate.generate("other", Clock.systemUTC()).privateKeyPem());
        assertThatThrownBy(() -> new Depesche(config, Clock.systemUTC()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("private key does not match the certificate");
    }

    private static boolean hasFiles(Path d) throws IOException {
        if (!Files.isDirectory(d)) return false;
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isPresent();
        }
    }

    /** A plain SMTP transaction; returns the reply to the end of data. */
    private static String sendPlain(InetSocketAddress at, String rcpt, String message) throws IOException {
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(reply(in)).startsWith("220 ");
            command(out, "EHLO client.example.net");
            assertThat(reply(in)).startsWith("250 ");
            command(out, "MAIL FROM:<sender@example.net>");
            assertThat(reply(in)).startsWith("250 2.1.0");
            command(out, "RCPT TO:<" + rcpt + ">");
            assertThat(reply(in)).startsWith("250 2.1.5");
            command(out, "DATA");
            assertThat(reply(in)).startsWith("354 ");
            out.write((message + ".\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String done = reply(in);
            command(out, "QUIT");
            return done;
        }
    }

    private static void command(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The last line of a (possibly multi-line) reply. */
    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
