package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import org.depesche.config.Limits;
import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Starts a fresh server per test and offers the dialogues many tests share. */
abstract class ServerTestSupport {
    @TempDir
    Path dir;
    TestServer server;

    /** Limits for this test class; override to tighten one. */
    Limits limits() {
        return TestServer.DEFAULT_LIMITS;
    }

    @BeforeEach
    void startServer() throws Exception {
        server = TestServer.start(dir, limits());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    static void assertReply(TestReply reply, int code, String enhanced) {
        assertThat(reply.code()).as("reply %s", reply).isEqualTo(code);
        assertThat(reply.enhanced()).as("enhanced code of %s", reply).isEqualTo(enhanced);
    }

    static TestReply expect(SmtpTestClient client, String command, int code, String enhanced) throws IOException {
        TestReply reply = client.command(command);
        assertReply(reply, code, enhanced);
        return reply;
    }

    /** Connects and checks the 220 greeting. */
    static SmtpTestClient connect(InetSocketAddress address) throws IOException {
        SmtpTestClient client = SmtpTestClient.connect(address);
        assertThat(client.read().code()).isEqualTo(220);
        return client;
    }

    /** Connects to the listener and says EHLO as a relay would, in plaintext. */
    static SmtpTestClient plaintextRelay(InetSocketAddress address) throws IOException {
        SmtpTestClient client = connect(address);
        expect(client, "EHLO relay.remote.test", 250, "");
        return client;
    }

    /** Like {@link #plaintextRelay}, then STARTTLS with a real handshake and EHLO again. */
    static SmtpTestClient tlsRelay(TestServer server) throws IOException {
        SmtpTestClient client = plaintextRelay(server.mx());
        expect(client, "STARTTLS", 220, "2.0.0");
        client.startTls(server.tls.clientContext());
        expect(client, "EHLO relay.remote.test", 250, "");
        return client;
    }

    /** Connects to the MX listener and says EHLO. */
    SmtpTestClient mxAfterEhlo() throws IOException {
        SmtpTestClient client = connect(server.mx());
        assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
        return client;
    }

    /** EHLO, STARTTLS with a real handshake, EHLO again; returns the second EHLO reply. */
    TestReply startTls(SmtpTestClient client) throws IOException {
        assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
        expect(client, "STARTTLS", 220, "2.0.0");
        client.startTls(server.tls.clientContext());
        TestReply ehlo = client.command("EHLO client.example");
        assertThat(ehlo.code()).isEqualTo(250);
        return ehlo;
    }

    /** Port 587: STARTTLS, then AUTH PLAIN as the given user. */
    SmtpTestClient submissionAs(String user, String password) throws IOException {
        SmtpTestClient client = connect(server.submission());
        startTls(client);
        expect(client, "AUTH PLAIN " + plain(user, password), 235, "2.7.0");
        return client;
    }

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a whole transaction and returns the reply to the end of data. */
    static TestReply send(SmtpTestClient client, String from, String to, String message) throws IOException {
        expect(client, "MAIL FROM:<" + from + ">", 250, "2.1.0");
        expect(client, "RCPT TO:<" + to + ">", 250, "2.1.5");
        assertThat(client.command("DATA").code()).isEqualTo(354);
        client.write(message + ".\r\n");
        return client.read();
    }
}
