package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.depesche.config.Limits;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile and broken clients (THREATS T12, T13, T14): refused clearly, nothing half-stored, others still served. */
class SmtpAbuseTest extends ServerTestSupport {

    private static final String HEADER = "From: carol@remote.test\r\nSubject: test\r\n\r\n";
    private static final String SMUGGLED = "MAIL FROM:<admin@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n"
            + "From: admin@example.org\r\n\r\nsmuggled\r\n";

    @Override
    Limits limits() {
        return TestServer.limits(l -> {
            l.maxConnectionsPerIp = 8;
            l.maxRecipients = 100;
            return l;
        });
    }

    @Test
    void aRelayAttemptOnTheMxListenerIsRefused() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<spammer@remote.test>", 250, "2.1.0");
            TestReply reply = expect(client, "RCPT TO:<victim@elsewhere.test>", 550, "5.7.1");
            assertThat(reply.text()).startsWith("Relay access denied");
            expect(client, "RCPT TO:<victim@example.org.elsewhere.test>", 550, "5.7.1");
            expect(client, "RCPT TO:<@example.org:victim@elsewhere.test>", 550, "5.7.1");
            expect(client, "DATA", 554, "5.5.1");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void anUnknownLocalUserIsRefusedAtRcpt() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<nobody@example.org>", 550, "5.1.1");
        }
    }

    @Test
    void anOverlongCommandLineIsRefusedAndTheSessionStaysInStep() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "NOOP " + "x".repeat(600), 500, "5.5.2");
            expect(client, "NOOP", 250, "2.0.0");
        }
    }

    /** Payloads from the 2023 SMTP smuggling advisories: an end-of-data that is not CRLF.CRLF. */
    @ParameterizedTest
    @ValueSource(strings = {"body\n.\n", "body\r\n.\n", "body\n.\r\n", "body\r\n.\r", "body\r.\r\n", "body\r\n.\r\r\n"})
    void aSmugglingPayloadWithBareLfOrCrIsRefusedAndNothingIsQueued(String endOfData) throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(HEADER + endOfData + SMUGGLED + "\r\n.\r\n");
            TestReply reply = client.read();
            assertReply(reply, 554, "5.6.0");
            assertThat(reply.text()).contains("bare CR or LF").contains("SMTP smuggling");
            // The smuggled commands were message content, not commands: the next reply is to our NOOP.
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    /** The advisories' "CRLF NUL . CRLF": a server down the line that drops NULs would see an end of data there. */
    @Test
    void aNulOctetInTheDataIsRefusedAndNothingIsQueued() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(HEADER + "body\r\n\0.\r\n" + SMUGGLED + "\r\n.\r\n");
            TestReply reply = client.read();
            assertReply(reply, 554, "5.6.0");
            assertThat(reply.text()).contains("NUL");
            expect(client, "NOOP", 250, "2.0.0");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            String chunk = HEADER + "a\0b\r\n";
            client.write("BDAT " + chunk.length() + " LAST\r\n" + chunk);
            assertReply(client.read(), 554, "5.6.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void aBareLfInABdatChunkIsRefusedToo() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            String chunk = HEADER + "line\n.\n" + SMUGGLED;
            client.write("BDAT " + chunk.length() + " LAST\r\n" + chunk);
            assertReply(client.read(), 554, "5.6.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void junkCommandsGet500UntilTheErrorLimitThen421AndClose() throws Exception {
        try (SmtpTestClient client = connect(server.mx())) {
            for (int i = 0; i < 4; i++) expect(client, "\u0001junk" + i, 500, "5.5.2");
            expect(client, "GET / HTTP/1.1", 500, "5.5.2");
            assertReply(client.read(), 421, "4.7.0");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void dataAndBdatWithoutMailCountAsErrorsUntilTheErrorLimitThen421AndClose() throws Exception {
        // THREATS T14: 500 of them each got 503 and the connection stayed open; now the fifth (maxErrors) is the last.
        try (SmtpTestClient client = mxAfterEhlo()) {
            for (int i = 0; i < 5; i++) expect(client, i % 2 == 0 ? "DATA" : "BDAT 0", 503, "5.5.1");
            assertReply(client.read(), 421, "4.7.0");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aRefusedMessageIsNoProtocolErrorSoASenderCanGoOnAfterMoreRefusalsThanTheErrorLimit() throws Exception {
        // The error limit is for a client out of step; one whose messages are refused after their data still talks SMTP.
        try (SmtpTestClient client = mxAfterEhlo()) {
            for (int i = 0; i < 6; i++) {
                expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
                expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
                String chunk = HEADER + "a\0b\r\n";
                client.write(i % 2 == 0 ? "DATA\r\n" : "BDAT " + chunk.length() + " LAST\r\n" + chunk);
                if (i % 2 == 0) {
                    assertReply(client.read(), 354, "");
                    client.write(chunk + ".\r\n");
                }
                assertReply(client.read(), 554, "5.6.0");
            }
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void tenThousandRecipientsGetTheFirstHundredAcceptedAndTheRest452() throws Exception {
        for (int i = 0; i < 100; i++) server.directory.addUser("user" + i + "@example.org", "pw".toCharArray());
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            // Written from another thread: the replies must be read meanwhile or both sides' buffers fill.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                StringBuilder batch = new StringBuilder();
                try {
                    for (int i = 0; i < 10_000; i++) {
                        batch.append("RCPT TO:<user").append(i).append("@example.org>\r\n");
                        if (batch.length() > 8000) {
                            client.write(batch.toString());
                            batch.setLength(0);
                        }
                    }
                    client.write(batch + "DATA\r\n");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int accepted = 0;
            int tooMany = 0;
            for (int i = 0; i < 10_000; i++) {
                TestReply r = client.read();
                if (r.code() == 250 && r.enhanced().equals("2.1.5")) accepted++;
                if (r.code() == 452 && r.enhanced().equals("4.5.3")) tooMany++;
            }
            writer.join();
            assertThat(accepted).isEqualTo(100);
            assertThat(tooMany).isEqualTo(9_900);
            assertThat(client.read().code()).isEqualTo(354);
            client.write(HEADER + "many\r\n.\r\n");
            assertReply(client.read(), 250, "2.0.0");
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.queued().getFirst().envelope().recipients()).hasSize(100)
                .allMatch(r -> r.mailbox().localPart().matches("user[0-9]{1,2}"));
    }

    @Test
    void anOversizedMessageIsRefusedAfterItsEndAndNothingIsQueued() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            String line = "x".repeat(98) + "\r\n";
            client.write(HEADER + line.repeat(1_500) + ".\r\n");
            assertReply(client.read(), 552, "5.3.4");
            expect(client, "NOOP", 250, "2.0.0");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void anOverlongDataLineIsRefusedAfterTheEnd() throws Exception {
        try (SmtpTestClient client = mxAfterEhlo()) {
            TestReply reply = send(client, "carol@remote.test", "alice@example.org", HEADER + "y".repeat(1_200) + "\r\n");
            assertReply(reply, 554, "5.6.0");
            assertThat(reply.text()).contains("longer than 1000");
        }
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void aClientThatDisappearsMidDataLeavesNothingInTheQueue() throws Exception {
        Path tmp = dir.resolve("queue/tmp");
        try (SmtpTestClient client = mxAfterEhlo()) {
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            expect(client, "RCPT TO:<alice@example.org>", 250, "2.1.5");
            expect(client, "DATA", 354, "");
            client.write(HEADER + "half a message\r\n");
            waitUntil(() -> filesIn(tmp) > 0); // the message was begun in the queue
        }
        waitUntil(() -> filesIn(tmp) == 0);
        assertThat(server.queued()).isEmpty();
    }

    @Test
    void connectionsBeyondThePerIpLimitGet421AndAClosedSocket() throws Exception {
        List<SmtpTestClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) open.add(connect(server.mx()));
            try (SmtpTestClient extra = SmtpTestClient.connect(server.mx())) {
                TestReply reply = extra.read();
                assertReply(reply, 421, "4.7.0");
                assertThat(reply.text()).startsWith("Too many connections");
                assertThat(extra.isClosedByServer()).isTrue();
            }
            expect(open.getFirst(), "QUIT", 221, "2.0.0");
            waitUntil(() -> {
                try (SmtpTestClient again = SmtpTestClient.connect(server.mx())) {
                    return again.read().code() == 220;
                }
            });
        } finally {
            for (SmtpTestClient c : open) c.close();
        }
    }

    @Test
    void connectionsBeyondTheTotalLimitGet421(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        Limits two = TestServer.limits(l -> {
            l.maxConnections = 2;
            return l;
        });
        try (TestServer small = TestServer.start(other, two);
             SmtpTestClient first = connect(small.mx());
             SmtpTestClient second = connect(small.submission());
             SmtpTestClient third = SmtpTestClient.connect(small.mx())) {
            assertReply(third.read(), 421, "4.7.0");
            expect(first, "NOOP", 250, "2.0.0");
            expect(second, "NOOP", 250, "2.0.0");
        }
    }

    @Test
    void randomGarbageLinesAreEachAnsweredAndTheSessionStaysInStep(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        Limits patient = TestServer.limits(l -> {
            l.maxErrors = 1_000;
            return l;
        });
        java.util.Random random = new java.util.Random(2920);
        try (TestServer s = TestServer.start(other, patient); SmtpTestClient client = connect(s.mx())) {
            expect(client, "EHLO fuzz.example", 250, "");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                byte[] junk = new byte[random.nextInt(60)];
                random.nextBytes(junk);
                String line = new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[\r\n]", "");
                lines.append(i % 2 == 0 ? line : "MAIL FROM:" + line).append("\r\n");
            }
            client.write(lines.append("NOOP\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 300; i++) assertThat(client.read().code()).isBetween(500, 555);
            assertReply(client.read(), 250, "2.0.0");
        }
    }

    @Test
    void silentAndSlowClientsDoNotBlockAnotherClientsTransaction() throws Exception {
        List<SmtpTestClient> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) slow.add(SmtpTestClient.connect(server.mx())); // send nothing at all
            for (int i = 0; i < 3; i++) {
                SmtpTestClient c = connect(server.mx());
                c.write("EHLO sl"); // half a line, never finished
                slow.add(c);
            }
            try (SmtpTestClient client = mxAfterEhlo()) {
                assertReply(send(client, "carol@remote.test", "alice@example.org", HEADER + "fast\r\n"), 250, "2.0.0");
            }
            assertThat(server.queued()).hasSize(1);
        } finally {
            for (SmtpTestClient c : slow) c.close();
        }
    }

    @Test
    void anIdleClientIsDisconnectedWith421AfterTheCommandTimeout(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        Limits quick = TestServer.limits(l -> {
            l.commandTimeout = Duration.ofMillis(300);
            return l;
        });
        try (TestServer impatient = TestServer.start(other, quick);
             SmtpTestClient client = connect(impatient.mx())) {
            client.write("EHLO slow");
            assertReply(client.read(), 421, "4.4.2");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aClientThatStopsReadingRepliesIsDisconnected(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        Limits quick = TestServer.limits(l -> {
            l.commandTimeout = Duration.ofMillis(500);
            l.maxConnectionsPerIp = 1;
            return l;
        });
        try (TestServer impatient = TestServer.start(other, quick);
             java.net.Socket deaf = new java.net.Socket()) {
            deaf.setReceiveBufferSize(2048);
            deaf.connect(impatient.mx());
            // Pipelines EHLO after EHLO and never reads a reply, until the server gives up on it.
            byte[] batch = "EHLO deaf.example\r\n".repeat(500).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            CompletableFuture<IOException> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    for (int i = 0; i < 2_000; i++) deaf.getOutputStream().write(batch);
                    return null;
                } catch (IOException closed) {
                    return closed;
                }
            });
            waitUntil(() -> {
                try (SmtpTestClient next = SmtpTestClient.connect(impatient.mx())) {
                    return next.read().code() == 220; // the per-IP slot is free again
                }
            });
            // Read only now: reading earlier would take the replies off the server and let it go on.
            assertClosedByServer(deaf);
            assertThat(writer.get(30, TimeUnit.SECONDS)).as("the pipelined writes fail once the server has closed").isNotNull();
        }
    }

    @Test
    void aTlsHandshakeTrickledSlowerThanTheCommandTimeoutLosesItsSlot(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        Limits quick = TestServer.limits(l -> {
            l.commandTimeout = Duration.ofMillis(500);
            l.maxConnectionsPerIp = 1;
            return l;
        });
        try (TestServer impatient = TestServer.start(other, quick);
             java.net.Socket slow = new java.net.Socket()) {
            slow.setTcpNoDelay(true);
            slow.connect(impatient.submissions());
            // A real ClientHello, sent one byte at a time, each well within the per-read timeout.
            javax.net.ssl.SSLEngine engine = impatient.tls.clientContext().createSSLEngine("localhost", 465);
            engine.setUseClientMode(true);
            java.nio.ByteBuffer hello = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(java.nio.ByteBuffer.allocate(0), hello);
            hello.flip();
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    while (hello.hasRemaining()) {
                        slow.getOutputStream().write(hello.get());
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException expected) {
                    // the server closed the connection
                }
            });
            waitUntil(() -> {
                try (SmtpTestClient next = SmtpTestClient.connect(impatient.mx())) {
                    return next.read().code() == 220; // the per-IP slot is free again
                }
            });
            assertClosedByServer(slow);
            slow.close();
            trickle.join();
        }
    }

    /**
     * The server has closed {@code socket}: whatever it sent before is read
     * and then the stream ends or is reset, within 30 s; a socket still open
     * then fails the test.
     */
    static void assertClosedByServer(java.net.Socket socket) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                long left = Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
                if (System.nanoTime() > deadline) throw new AssertionError("the server did not close the socket within 30 s");
                socket.setSoTimeout((int) left);
                if (socket.getInputStream().read(buffer) < 0) return; // end of stream: the server closed
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the server did not close the socket within 30 s", e);
        } catch (java.net.SocketException reset) {
            // a reset: the server closed with our unread data in its buffer
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls for something the server does on its own thread; generous, so it never fails on a slow machine. */
    static void waitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached within 30 s");
            Thread.sleep(20);
        }
    }

    static long filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
