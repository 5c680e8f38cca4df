package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.depesche.config.HostPort;
import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.TestPki;
import org.depesche.tls.PemTlsContextProvider;

/** The MTA-STS listener's own HTTP/1.1 handling and its limits (THREATS T14), over real TLS sockets. */
class MtaStsListenerLimitsTest {
    static final String GET = "GET " + MtaStsServer.PATH + " HTTP/1.1\r\nHost: mta-sts.example.org\r\n\r\n";

    @TempDir
    Path dir;
    SSLContext trust;
    PemTlsContextProvider tls;
    MtaStsServer server;
    final PublishedPolicy published = new PublishedPolicy(
            new StsPolicy(StsPolicy.Mode.ENFORCE, List.of("mx.example.org"), 604800), "abc");

    @BeforeEach
    void pki() throws Exception {
        TestPki.Identity ca = TestPki.ca("Test CA");
        trust = PolicyServer.clientTrusting(ca);
        TestPki.writePem(TestPki.leaf(ca, "mx.example.org", "mta-sts.example.org"), dir.resolve("cert.pem"), dir.resolve("key.pem"));
        tls = new PemTlsContextProvider(dir.resolve("cert.pem"), dir.resolve("key.pem"), Duration.ofSeconds(10), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private void start(MtaStsServer.Limits limits) throws IOException {
        server = new MtaStsServer(new HostPort("127.0.0.1", 0), published, Set.of("example.org")::contains, tls,
                Clock.systemUTC(), limits);
        server.start();
    }

    private SSLSocket connect() throws IOException {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.address().getPort());
        s.setSoTimeout(30_000);
        s.startHandshake();
        return s;
    }

    /** Sends the request and reads until the server closes: the whole response. */
    private String exchange(SSLSocket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return readToEnd(s.getInputStream());
    }

    private String request(String request) throws IOException {
        try (SSLSocket s = connect()) {
            return exchange(s, request);
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) all.write(buf, 0, n);
        } catch (IOException e) {
            if (all.size() == 0) throw e; // a reset after the response still leaves the response
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aGetIsAnsweredWithThePolicyAsTextPlainAndTheConnectionIsClosed() throws Exception {
        start(MtaStsServer.Limits.DEFAULT);
        String r = request(GET);
        byte[] policy = published.policy().toText().getBytes(StandardCharsets.US_ASCII);
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nContent-Type: text/plain\r\n",
                "\r\nContent-Length: " + policy.length + "\r\n", "\r\nConnection: close\r\n", "\r\nCache-Control: no-store\r\n",
                "\r\nDate: ").endsWith("\r\n\r\n" + published.policy().toText());
    }

    @Test
    void aTls12ClientGetsThePolicyAndA405ForAPostWithContent() throws Exception {
        start(MtaStsServer.Limits.DEFAULT);
        for (String request : List.of(GET, "POST " + MtaStsServer.PATH + " HTTP/1.1\r\nHost: mta-sts.example.org\r\nContent-Length: 20000\r\n\r\n"
                + "x".repeat(20000))) {
            try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
                s.setSoTimeout(30_000);
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
                assertThat(exchange(s, request)).startsWith(request == GET ? "HTTP/1.1 200 " : "HTTP/1.1 405 ");
            }
        }
    }

    @Test
    void aHeadGetsTheSameHeaderFieldsAndNoBody() throws Exception {
        start(MtaStsServer.Limits.DEFAULT);
        String r = request(GET.replaceFirst("GET", "HEAD"));
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: ").endsWith("\r\n\r\n");
    }

    @Test
    void aHostWithAPortIsAcceptedAndMatchedCaseInsensitively() throws Exception {
        start(MtaStsServer.Limits.DEFAULT);
        assertThat(request(GET.replace("mta-sts.example.org", "MTA-STS.Example.Org:8443"))).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void aPostGets405WithAllowAndNoPolicy() throws Exception {
        start(MtaStsServer.Limits.DEFAULT);
        String r = request("POST " + MtaStsServer.PATH + " HTTP/1.1\r\nHost: mta-sts.example.org\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r).startsWith("HTTP/1.1 405 Method Not Allowed\r\n").contains("\r\nAllow: GET, HEAD\r\n").doesNotContain("STSv1");
    }

    @Test
    void aGetWithContentOrWithoutHostOrForAnotherPathGetsNoPolicy() throws Exception {
        start(MtaStsServer.Limits.DEFAULT);
        assertThat(request(GET.replace("\r\n\r\n", "\r\nContent-Length: 3\r\n\r\nabc"))).startsWith("HTTP/1.1 400 ");
        assertThat(request(GET.replace("\r\n\r\n", "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))).startsWith("HTTP/1.1 400 ");
        assertThat(request("GET " + MtaStsServer.PATH + " HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(request(GET.replace("Host:", "Host: x\r\nHost:"))).startsWith("HTTP/1.1 400 ");
        assertThat(request(GET.replace("Host:", "Host :"))).startsWith("HTTP/1.1 400 ");
        assertThat(request(GET.replace(MtaStsServer.PATH, MtaStsServer.PATH + "/"))).startsWith("HTTP/1.1 404 ").doesNotContain("Location");
        assertThat(request(GET.replace("HTTP/1.1", "HTTP/2.0"))).startsWith("HTTP/1.1 505 ");
    }

    @Test
    void aRequestHeadOverTheCapGets431AndTheConnectionIsClosed() throws Exception {
        start(MtaStsServer.Limits.DEFAULT);
        String big = GET.replace("\r\n\r\n", "\r\nX-Filler: " + "a".repeat(9000) + "\r\n\r\n");
        assertThat(request(big)).startsWith("HTTP/1.1 431 ").doesNotContain("STSv1");
        String many = GET.replace("\r\n\r\n", "\r\n" + "X-A: b\r\n".repeat(60) + "\r\n");
        assertThat(request(many)).startsWith("HTTP/1.1 431 ");
    }

    @Test
    void aClientSendingItsHeadOneBytePerSecondIsCutOffWhileAnotherIsServed() throws Exception {
        // 4 s for the TLS handshake and the head: ample for the other client on a busy machine, while the slow
        // client's head (about 150 bytes at one a second) would take over half a minute.
        start(new MtaStsServer.Limits(64, 8, Duration.ofSeconds(4), 8192, 50));
        try (SSLSocket slow = connect()) {
            AtomicBoolean cut = new AtomicBoolean();
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = slow.getOutputStream();
                    for (byte b : (GET.replace("\r\n\r\n", "\r\nX-Slow: " + "z".repeat(100) + "\r\n\r\n")).getBytes(StandardCharsets.US_ASCII)) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(1000);
                    }
                } catch (IOException e) {
                    cut.set(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(request(GET)).startsWith("HTTP/1.1 200 ");
            String r = readToEnd(slow.getInputStream()); // the client's own timeout is 30 s, the deadline 4 s
            assertThat(r).startsWith("HTTP/1.1 408 Request Timeout\r\n").doesNotContain("STSv1");
            trickle.interrupt();
            trickle.join();
        }
    }

    @Test
    void aClientThatNeverStartsTheTlsHandshakeIsClosedAfterTheDeadline() throws Exception {
        // The deadline also bounds the well-behaved client's handshake and head: 3 s is room for them on a busy machine.
        start(new MtaStsServer.Limits(64, 8, Duration.ofSeconds(3), 8192, 50));
        try (Socket raw = new Socket("127.0.0.1", server.address().getPort())) {
            raw.setSoTimeout(30_000);
            assertThat(readToEnd(raw.getInputStream())).isEmpty();
            assertThat(request(GET)).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceWhileEarlierOnesAreServed() throws Exception {
        start(new MtaStsServer.Limits(2, 2, Duration.ofSeconds(30), 8192, 50));
        try (SSLSocket first = connect(); SSLSocket second = connect()) {
            assertThatThrownBy(() -> {
                try (SSLSocket third = connect()) {
                    third.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
                    third.getOutputStream().flush();
                    if (third.getInputStream().read() < 0) throw new IOException("closed without a response");
                }
            }).isInstanceOf(IOException.class);
            assertThat(exchange(first, GET)).startsWith("HTTP/1.1 200 ");
            assertThat(exchange(second, GET)).startsWith("HTTP/1.1 200 ");
        }
    }
}
