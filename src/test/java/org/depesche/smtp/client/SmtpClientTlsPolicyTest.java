package org.depesche.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.depesche.smtp.client.ClientFixtures.MX;
import static org.depesche.smtp.client.ClientFixtures.client;
import static org.depesche.smtp.client.ClientFixtures.toAlice;

import java.security.MessageDigest;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HexFormat;
import java.util.Set;

import org.depesche.testsupport.DepescheMx;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.TlsFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requirements other than DANE (none, may, encrypt, verify, pinned) against Depesche's own MX. */
class SmtpClientTlsPolicyTest {
    @TempDir
    Path dir;
    private DepescheMx mx;

    @AfterEach
    void stop() {
        if (mx != null) mx.close();
    }

    private DeliveryAttempt deliver(TestPki.Identity identity, KeyStore trust, TlsRequirement requirement) throws Exception {
        mx = DepescheMx.start(dir, identity);
        try (SmtpClient client = client(trust)) {
            return client.deliver(mx.address(), MX, requirement, toAlice());
        }
    }

    @Test
    void pkixWithTheCaInTheTrustStoreAndTheMxNameDeliversAsPkix() throws Exception {
        TestPki.Identity ca = TestPki.ca("Trusted CA");
        DeliveryAttempt attempt = deliver(TestPki.leaf(ca, MX), TestPki.trustStore(ca.certificate()),
                new TlsRequirement.Pkix(Set.of(MX)));
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.PKIX);
        assertThat(mx.queued()).hasSize(1);
    }

    @Test
    void pkixAcceptsAWildcardInTheLeftMostLabel() throws Exception {
        TestPki.Identity ca = TestPki.ca("Trusted CA");
        DeliveryAttempt attempt = deliver(TestPki.leaf(ca, "*.example.org"), TestPki.trustStore(ca.certificate()),
                new TlsRequirement.Pkix(Set.of(MX)));
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.PKIX);
    }

    @Test
    void pkixWithAnotherNameInTheCertificateFailsWithNothingQueued() throws Exception {
        TestPki.Identity ca = TestPki.ca("Trusted CA");
        DeliveryAttempt attempt = deliver(TestPki.leaf(ca, "mx.elsewhere.test"), TestPki.trustStore(ca.certificate()),
                new TlsRequirement.Pkix(Set.of(MX)));
        SmtpClientDaneTest.assertRefusedBeforeTheMessage(attempt, TlsFailure.CERTIFICATE_HOST_MISMATCH);
        assertThat(attempt.message()).contains("is not valid for mx.example.org").contains("mx.elsewhere.test");
        assertThat(mx.queued()).isEmpty();
    }

    @Test
    void pkixWithACaOutsideTheTrustStoreFails() throws Exception {
        TestPki.Identity ca = TestPki.ca("Unknown CA");
        TestPki.Identity trusted = TestPki.ca("Trusted CA");
        DeliveryAttempt attempt = deliver(TestPki.leaf(ca, MX), TestPki.trustStore(trusted.certificate()),
                new TlsRequirement.Pkix(Set.of(MX)));
        SmtpClientDaneTest.assertRefusedBeforeTheMessage(attempt, TlsFailure.CERTIFICATE_NOT_TRUSTED);
        assertThat(attempt.message()).startsWith("the certificate of mx.example.org is not trusted");
        assertThat(mx.queued()).isEmpty();
    }

    @Test
    void pkixWithAnExpiredCertificateFailsAsCertificateExpiredNotAsUntrusted() throws Exception {
        TestPki.Identity ca = TestPki.ca("Trusted CA");
        DeliveryAttempt attempt = deliver(TestPki.expiredLeaf(ca, MX), TestPki.trustStore(ca.certificate()),
                new TlsRequirement.Pkix(Set.of(MX)));
        SmtpClientDaneTest.assertRefusedBeforeTheMessage(attempt, TlsFailure.CERTIFICATE_EXPIRED);
        assertThat(attempt.tls().failure().flatMap(TlsFailure::resultType)).contains("certificate-expired");
        assertThat(mx.queued()).isEmpty();
    }

    @Test
    void pinnedSpkiFingerprintDeliversAsPinned() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        String spki = HexFormat.ofDelimiter(":").formatHex(sha256(id.certificate().getPublicKey().getEncoded()));
        DeliveryAttempt attempt = deliver(id, TestPki.trustStore(), new TlsRequirement.Pinned(Set.of(spki.toUpperCase())));
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.PINNED);
    }

    @Test
    void pinnedCertificateFingerprintDeliversAsPinned() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        String cert = HexFormat.of().formatHex(sha256(id.certificate().getEncoded()));
        DeliveryAttempt attempt = deliver(id, TestPki.trustStore(), new TlsRequirement.Pinned(Set.of(cert)));
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.PINNED);
    }

    @Test
    void aPinForAnotherCertificateFailsWithNothingQueued() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        String other = HexFormat.of().formatHex(sha256(TestPki.selfSigned(MX).certificate().getEncoded()));
        DeliveryAttempt attempt = deliver(id, TestPki.trustStore(), new TlsRequirement.Pinned(Set.of(other)));
        SmtpClientDaneTest.assertRefusedBeforeTheMessage(attempt, TlsFailure.VALIDATION_FAILURE);
        assertThat(mx.queued()).isEmpty();
    }

    @Test
    void encryptedDeliversOverTlsWithoutAuthentication() throws Exception {
        DeliveryAttempt attempt = deliver(TestPki.selfSigned("whatever.test"), TestPki.trustStore(), new TlsRequirement.Encrypted());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().tls().isEncrypted()).isTrue();
        assertThat(attempt.tls().authentication()).isEqualTo(Authentication.NONE);
    }

    @Test
    void opportunisticUsesStartTlsWhenOffered() throws Exception {
        DeliveryAttempt attempt = deliver(TestPki.selfSigned(MX), TestPki.trustStore(), new TlsRequirement.Opportunistic());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls().tls().isEncrypted()).isTrue();
        assertThat(attempt.ehloKeywords()).doesNotContain("STARTTLS").contains("PIPELINING", "ENHANCEDSTATUSCODES");
    }

    @Test
    void noneNeverStartsTlsEvenWhenOffered() throws Exception {
        DeliveryAttempt attempt = deliver(TestPki.selfSigned(MX), TestPki.trustStore(), new TlsRequirement.None());
        assertThat(attempt.completed()).as(attempt.message()).isTrue();
        assertThat(attempt.tls()).isEqualTo(TlsOutcome.PLAINTEXT);
        assertThat(attempt.ehloKeywords()).contains("STARTTLS");
        assertThat(mx.content(mx.queued().get(0))).doesNotContain("TLSv1");
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
