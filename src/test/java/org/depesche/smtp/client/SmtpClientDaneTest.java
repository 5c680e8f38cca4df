package org.depesche.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.client.ClientFixtures.MX;
import static org.depesche.smtp.client.ClientFixtures.client;
import static org.depesche.smtp.client.ClientFixtures.dane;
import static org.depesche.smtp.client.ClientFixtures.toAlice;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.depesche.dane.TlsaRecord;
import org.depesche.smtp.client.DeliveryAttempt.Stage;
import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.TlsFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 7672 3.1 against Depesche's own MX over real STARTTLS handshakes on loopback. */
class SmtpClientDaneTest {
    @TempDir
    Path dir;

    private DeliveryAttempt deliver(TestPki.Identity identity, TlsRequirement requirement, DepescheMx[] started) throws Exception {
        DepescheMx mx = DepescheMx.start(dir, identity);
        started[0] = mx;
        try (SmtpClient client = client()) {
            return client.deliver(mx.address(), MX, requirement, toAlice());
        }
    }

    private void assertDelivered(DeliveryAttempt attempt, Authentication authentication) {
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(authentication);
        assertThat(attempt.tls().tls().protocol()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(attempt.recipients().get(0).reply().code()).isEqualTo(250);
        assertThat(attempt.recipients().get(0).reply().enhanced()).isEqualTo("2.0.0");
    }

    @Test
    void daneEeWithSpkiSha256DeliversAndRecordsDaneEe() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        DepescheMx[] mx = new DepescheMx[1];
        DeliveryAttempt attempt = deliver(id, dane(TlsaRecord.of(3, 1, 1, id.certificate())), mx);
        try (DepescheMx server = mx[0]) {
            assertDelivered(attempt, Authentication.DANE_EE);
            assertThat(server.queued()).hasSize(1);
        }
    }

    @Test
    void daneEeWithFullCertificateSha256Delivers() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        DepescheMx[] mx = new DepescheMx[1];
        DeliveryAttempt attempt = deliver(id, dane(TlsaRecord.of(3, 0, 1, id.certificate())), mx);
        try (DepescheMx server = mx[0]) {
            assertDelivered(attempt, Authentication.DANE_EE);
            assertThat(server.queued()).hasSize(1);
        }
    }

    @Test
    void daneEeWithSpkiSha512Delivers() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        DepescheMx[] mx = new DepescheMx[1];
        DeliveryAttempt attempt = deliver(id, dane(TlsaRecord.of(3, 1, 2, id.certificate())), mx);
        try (DepescheMx server = mx[0]) {
            assertDelivered(attempt, Authentication.DANE_EE);
        }
    }

    @Test
    void daneEeIgnoresTheNameAndTheExpiryOfTheCertificate() throws Exception {
        TestPki.Identity id = TestPki.expiredSelfSigned("some-other-name.test");
        DepescheMx[] mx = new DepescheMx[1];
        DeliveryAttempt attempt = deliver(id, dane(TlsaRecord.of(3, 1, 1, id.certificate())), mx);
        try (DepescheMx server = mx[0]) {
            assertDelivered(attempt, Authentication.DANE_EE);
        }
    }

    @Test
    void daneTaOnThePrivateCaWithTheMxNameInTheLeafDelivers() throws Exception {
        TestPki.Identity ca = TestPki.ca("Test CA");
        TestPki.Identity leaf = TestPki.leaf(ca, MX);
        DepescheMx[] mx = new DepescheMx[1];
        DeliveryAttempt attempt = deliver(leaf, dane(TlsaRecord.of(2, 1, 1, ca.certificate())), mx);
        try (DepescheMx server = mx[0]) {
            assertDelivered(attempt, Authentication.DANE_TA);
            assertThat(server.queued()).hasSize(1);
        }
    }

    @Test
    void daneTaWithAWrongNameInTheLeafFailsBeforeMailFrom() throws Exception {
        TestPki.Identity ca = TestPki.ca("Test CA");
        TestPki.Identity leaf = TestPki.leaf(ca, "mx.elsewhere.test");
        DepescheMx[] mx = new DepescheMx[1];
        DeliveryAttempt attempt = deliver(leaf, dane(TlsaRecord.of(2, 1, 1, ca.certificate())), mx);
        try (DepescheMx server = mx[0]) {
            assertRefusedBeforeTheMessage(attempt, TlsFailure.TLSA_INVALID);
            assertThat(attempt.message()).contains("names none of " + MX);
            assertThat(server.queued()).isEmpty();
        }
    }

    @Test
    void mismatchingTlsaFailsAtTlsAuthWithNothingQueued() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        TestPki.Identity other = TestPki.selfSigned(MX);
        DepescheMx[] mx = new DepescheMx[1];
        DeliveryAttempt attempt = deliver(id, dane(TlsaRecord.of(3, 1, 1, other.certificate())), mx);
        try (DepescheMx server = mx[0]) {
            assertRefusedBeforeTheMessage(attempt, TlsFailure.TLSA_INVALID);
            assertThat(attempt.message()).startsWith("TLSA records for mx.example.org do not match the certificate it presented");
            assertThat(attempt.requirement()).isInstanceOf(TlsRequirement.Dane.class); // the policy that applied, as data
            assertThat(attempt.tls().failure().flatMap(TlsFailure::resultType)).contains("tlsa-invalid");
            assertThat(server.queued()).isEmpty();
        }
    }

    @Test
    void onlyUnusableTlsaRecordsMeanEncryptedButUnauthenticatedDelivery() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        DepescheMx[] mx = new DepescheMx[1];
        // PKIX-TA and PKIX-EE even matching the certificate are unusable for SMTP (RFC 7672 3.1.3).
        TlsRequirement.Dane unusable = new TlsRequirement.Dane(List.of(TlsaRecord.of(0, 1, 1, id.certificate()),
                TlsaRecord.of(1, 0, 1, id.certificate())), Set.of(MX));
        assertThat(unusable.hasUsableRecords()).isFalse();
        DeliveryAttempt attempt = deliver(id, unusable, mx);
        try (DepescheMx server = mx[0]) {
            assertDelivered(attempt, Authentication.NONE);
            assertThat(attempt.tls().tls().isEncrypted()).isTrue();
        }
    }

    static void assertRefusedBeforeTheMessage(DeliveryAttempt attempt, TlsFailure failure) {
        assertThat(attempt.completed()).isFalse();
        assertThat(attempt.failedStage()).isEqualTo(Stage.TLS_AUTH);
        assertThat(attempt.failedStage().label()).isEqualTo("tls-auth");
        assertThat(attempt.tls().failure()).contains(failure);
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.NONE);
        assertThat(attempt.envelopeSent()).isFalse();
        assertThat(attempt.contentSent()).isFalse();
        assertThat(attempt.recipients()).allSatisfy(r -> {
            assertThat(r.reply().code()).isEqualTo(451);
            assertThat(r.reply().enhanced()).isEqualTo("4.7.5");
            assertThat(r.diagnostic()).isEqualTo(attempt.message());
        });
    }
}
