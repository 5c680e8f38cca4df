package org.depesche.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.client.ClientFixtures.MX;
import static org.depesche.smtp.client.ClientFixtures.client;

import java.util.Optional;
import java.util.Set;

import org.depesche.mail.MailAddress;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.HopRequirement;
import org.depesche.transport.TlsFailure;
import org.junit.jupiter.api.Test;

/**
 * The REQUIRETLS MAIL parameter (RFC 8689 2, 4.2.1 step 5) and the PKIX
 * check made without enforcing it (RFC 8461 5.2), against a scripted server.
 */
class SmtpClientRequireTlsTest {

    private static OutboundMessage toAlice(HopRequirement.RequireTls requireTls) {
        OutboundMessage m = ClientFixtures.toAlice();
        return new OutboundMessage(Optional.of(MailAddress.parse("sender@sender.test")), m.recipients(), m.size(),
                m.bodyType(), false, m.content(), requireTls);
    }

    private static String mail(ScriptedSmtpServer server) {
        return server.commands().stream().filter(c -> c.startsWith("MAIL")).findFirst().orElse("");
    }

    @Test
    void requireTlsOfferedOnlyInPlaintextIsNeitherUsedNorEnough() throws Exception {
        // RFC 8689 2: the keyword counts only in the EHLO reply inside TLS.
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null).extensions("ENHANCEDSTATUSCODES", "REQUIRETLS");
             SmtpClient client = client()) {
            DeliveryAttempt offered = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(),
                    toAlice(HopRequirement.RequireTls.WHEN_OFFERED));
            assertThat(offered.completed()).isTrue();
            assertThat(mail(server)).doesNotContain("REQUIRETLS");

            DeliveryAttempt required = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(),
                    toAlice(HopRequirement.RequireTls.REQUIRED));
            assertThat(required.envelopeSent()).isFalse();
            assertThat(required.tls().failure()).contains(TlsFailure.REQUIRETLS_NOT_OFFERED);
            assertThat(required.recipients().getFirst().reply().toString()).startsWith("550 5.7.30");
            assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL"))).hasSize(1);
        }
    }

    @Test
    void aRequiredRequireTlsOfferedInsideTlsGoesWithMailFrom() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)))
                .afterTls("REQUIRETLS"); SmtpClient client = client()) {
            DeliveryAttempt a = client.deliver(server.address(), MX, new TlsRequirement.Encrypted(),
                    toAlice(HopRequirement.RequireTls.REQUIRED));
            assertThat(a.completed()).as(a.message()).isTrue();
            assertThat(mail(server)).isEqualTo("MAIL FROM:<sender@sender.test> SIZE=" + ClientFixtures.toAlice().size()
                    + " REQUIRETLS");
        }
    }

    @Test
    void aPkixAuditRecordsAnUntrustedCertificateAndDeliversAnyway() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(MX)));
             SmtpClient client = client()) {
            DeliveryAttempt a = client.deliver(server.address(), MX, new TlsRequirement.Opportunistic(Set.of(MX)),
                    ClientFixtures.toAlice());
            assertThat(a.completed()).isTrue();
            assertThat(a.tls().failure()).isEmpty();
            assertThat(a.tls().auditFailure()).get().satisfies(f -> {
                assertThat(f.failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED); // RFC 8461 5.2: reported as data
                assertThat(f.reason()).startsWith("the certificate of mx.example.org is not trusted");
            });
        }
    }
}
