package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

/**
 * testssl.sh found "Secure Client-Initiated Renegotiation: VULNERABLE, potential
 * DoS threat" on the MX listener (STARTTLS) and on 465: a TLS 1.2 client could
 * make the server do one full handshake after another on one connection. The
 * server now refuses a renegotiation with a fatal alert and closes, after an
 * ordinary TLS 1.2 session has worked on the same connection.
 */
class SmtpRenegotiationTest extends ServerTestSupport {

    @Test
    void aTls12ClientThatRenegotiatesAfterStarttlsOnTheMxListenerIsCutOff() throws Exception {
        try (SmtpTestClient client = plaintextRelay(server.mx())) {
            expect(client, "STARTTLS", 220, "2.0.0");
            SSLSocket tls = client.startTls(server.tls.tls12ClientContext());
            assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.2");
            expect(client, "EHLO relay.remote.test", 250, "");
            expect(client, "MAIL FROM:<carol@remote.test>", 250, "2.1.0");
            tls.startHandshake(); // a second ClientHello on the established session (RFC 5746)
            assertThatThrownBy(() -> client.command("RCPT TO:<alice@example.org>")).isInstanceOf(IOException.class);
        }
        assertThat(server.queued()).isEmpty();
        try (SmtpTestClient next = tlsRelay(server)) { // the server serves the next client as before
            expect(next, "NOOP", 250, "2.0.0");
        }
    }

    @Test
    void aTls12ClientThatRenegotiatesOnTheImplicitTlsPortIsCutOff() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.connectTls(server.submissions(), server.tls.tls12ClientContext())) {
            SSLSocket tls = (SSLSocket) client.socket();
            assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(client.read().code()).isEqualTo(220);
            expect(client, "EHLO laptop", 250, "");
            tls.startHandshake();
            assertThatThrownBy(() -> client.command("NOOP")).isInstanceOf(IOException.class);
        }
    }
}
