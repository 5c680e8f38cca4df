package org.depesche.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.client.ClientFixtures.MX;
import static org.depesche.smtp.client.ClientFixtures.client;
import static org.depesche.smtp.client.ClientFixtures.dane;
import static org.depesche.smtp.client.ClientFixtures.toAlice;

import java.nio.file.Path;

import org.depesche.dane.TlsaRecord;
import org.depesche.mail.TlsInfo;
import org.depesche.smtp.client.DeliveryAttempt.Stage;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.MitmProxy;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.TlsFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** THREATS T1 (certificate swapped) and T2 (STARTTLS stripped) with a real proxy in front of Depesche's MX. */
class SmtpClientMitmTest {
    @TempDir
    Path dir;
    private TestPki.Identity real;
    private DepescheMx mx;

    @BeforeEach
    void start() throws Exception {
        real = TestPki.selfSigned(MX);
        mx = DepescheMx.start(dir, real);
    }

    @AfterEach
    void stop() {
        mx.close();
    }

    private DeliveryAttempt through(MitmProxy proxy, TlsRequirement requirement) throws Exception {
        try (proxy; SmtpClient client = client()) {
            return client.deliver(proxy.address(), MX, requirement, toAlice());
        }
    }

    @Test
    void strippedStartTlsOnADaneDestinationFailsWithoutAnyMessageByte() throws Exception {
        MitmProxy proxy = MitmProxy.stripStartTls(mx.address());
        DeliveryAttempt attempt = through(proxy, dane(TlsaRecord.of(3, 1, 1, real.certificate())));
        assertThat(attempt.failedStage()).isEqualTo(Stage.STARTTLS);
        assertThat(attempt.tls().failure()).contains(TlsFailure.STARTTLS_NOT_SUPPORTED);
        assertThat(attempt.message()).isEqualTo("mx.example.org does not offer STARTTLS");
        assertThat(attempt.recipients().get(0).reply().code()).isEqualTo(451);
        assertThat(attempt.recipients().get(0).reply().enhanced()).isEqualTo("4.7.4");
        assertThat(attempt.envelopeSent()).isFalse();
        assertThat(proxy.clientSent()).doesNotContain("MAIL FROM").doesNotContain("Hello Alice").contains("QUIT");
        assertThat(mx.queued()).isEmpty();
    }

    @Test
    void strippedStartTlsOnAnOpportunisticDestinationDeliversInPlaintextAndSaysSo() throws Exception {
        MitmProxy proxy = MitmProxy.stripStartTls(mx.address());
        DeliveryAttempt attempt = through(proxy, new TlsRequirement.Opportunistic());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().tls()).isEqualTo(TlsInfo.NONE);
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.NONE);
        assertThat(attempt.ehloKeywords()).doesNotContain("STARTTLS");
        assertThat(proxy.clientSent()).contains("Hello Alice");
        assertThat(mx.queued()).hasSize(1);
    }

    @Test
    void swappedCertificateOnADaneDestinationFailsAndNothingIsDelivered() throws Exception {
        MitmProxy proxy = MitmProxy.terminateTls(mx.address(), TestPki.serverContext(TestPki.selfSigned(MX)));
        DeliveryAttempt attempt = through(proxy, dane(TlsaRecord.of(3, 1, 1, real.certificate())));
        SmtpClientDaneTest.assertRefusedBeforeTheMessage(attempt, TlsFailure.TLSA_INVALID);
        assertThat(attempt.message()).startsWith("TLSA records for mx.example.org do not match the certificate it presented");
        assertThat(proxy.clientSent()).doesNotContain("MAIL FROM").doesNotContain("Hello Alice");
        assertThat(mx.queued()).isEmpty();
    }

    @Test
    void swappedCertificateOnAnOpportunisticDestinationDeliversUnauthenticated() throws Exception {
        MitmProxy proxy = MitmProxy.terminateTls(mx.address(), TestPki.serverContext(TestPki.selfSigned(MX)));
        DeliveryAttempt attempt = through(proxy, new TlsRequirement.Opportunistic());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().tls().isEncrypted()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.NONE);
        // The attacker read it all: that is what "may" means.
        assertThat(proxy.clientSent()).contains("Hello Alice");
        assertThat(mx.queued()).hasSize(1);
    }

    @Test
    void aTransparentRelayChangesNothingForDane() throws Exception {
        MitmProxy proxy = MitmProxy.relay(mx.address());
        DeliveryAttempt attempt = through(proxy, dane(TlsaRecord.of(3, 1, 1, real.certificate())));
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.DANE_EE);
        assertThat(proxy.clientSent()).doesNotContain("Hello Alice");
    }
}
