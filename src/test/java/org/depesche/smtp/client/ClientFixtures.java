package org.depesche.smtp.client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.depesche.mail.BodyType;
import org.depesche.dane.TlsaRecord;
import org.depesche.queue.Envelope;
import org.depesche.mail.MailAddress;
import org.depesche.testsupport.TestPki;

/** Clients, messages and requirements the client tests share. */
final class ClientFixtures {
    static final String MX = "mx.example.org";
    static final String BODY = "From: sender@sender.test\r\nTo: alice@example.org\r\nSubject: hello\r\n\r\nHello Alice.\r\n";

    private ClientFixtures() {
    }

    /** A client with generous timeouts (tests never depend on them) and the given PKIX trust store. */
    static SmtpClient client(KeyStore pkixTrust) throws Exception {
        return new SmtpClient("sender.test", ClientTimeouts.all(Duration.ofSeconds(20)), pkixTrust, Clock.systemUTC());
    }

    static SmtpClient client() throws Exception {
        return client(TestPki.trustStore());
    }

    static OutboundMessage message(String content, String... recipients) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        List<MailAddress> rcpts = Arrays.stream(recipients).map(MailAddress::parse).toList();
        return new OutboundMessage(Optional.of(MailAddress.parse("sender@sender.test")), rcpts, bytes.length,
                BodyType.SEVEN_BIT, false, () -> new ByteArrayInputStream(bytes));
    }

    static OutboundMessage toAlice() {
        return message(BODY, "alice@example.org");
    }

    static TlsRequirement.Dane dane(TlsaRecord... records) {
        return new TlsRequirement.Dane(List.of(records), Set.of(MX));
    }
}
