package org.depesche.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.depesche.dane.DaneVerdict.Result;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;

/** RFC 7672 3.1 on certificate chains directly, without a handshake. */
class DaneVerifierTest {
    private static final Set<String> MX = Set.of("mx.example.org");
    private final DaneVerifier verifier = new DaneVerifier(Clock.systemUTC());

    @Test
    void daneEeMatchesTheLeafKeyWhateverItsNameAndDates() throws Exception {
        TestPki.Identity leaf = TestPki.expiredSelfSigned("unrelated.test");
        DaneVerdict v = verifier.verify(leaf.chain(), List.of(TlsaRecord.of(3, 1, 1, leaf.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.DANE_EE);
        assertThat(v.authenticated()).isTrue();
        assertThat(v.matched()).contains(TlsaRecord.of(3, 1, 1, leaf.certificate()));
    }

    @Test
    void daneEeDoesNotMatchAnIntermediateOrTheCa() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        TestPki.Identity leaf = TestPki.leaf(ca, "mx.example.org");
        DaneVerdict v = verifier.verify(leaf.chain(), List.of(TlsaRecord.of(3, 1, 1, ca.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.NO_MATCH);
    }

    @Test
    void daneTaMatchesTheCaInTheChainWhenTheLeafNamesTheMx() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        TestPki.Identity leaf = TestPki.leaf(ca, "mx.example.org");
        assertThat(verifier.verify(leaf.chain(), List.of(TlsaRecord.of(2, 0, 1, ca.certificate())), MX).result())
                .isEqualTo(Result.DANE_TA);
        assertThat(verifier.verify(leaf.chain(), List.of(TlsaRecord.of(2, 1, 2, ca.certificate())), MX).result())
                .isEqualTo(Result.DANE_TA);
    }

    @Test
    void daneTaAcceptsAnyOfTheReferenceNamesIncludingAWildcardCertificate() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        TestPki.Identity leaf = TestPki.leaf(ca, "*.example.net");
        DaneVerdict v = verifier.verify(leaf.chain(), List.of(TlsaRecord.of(2, 1, 1, ca.certificate())),
                Set.of("mx.example.org", "mx.example.net"));
        assertThat(v.result()).isEqualTo(Result.DANE_TA);
    }

    @Test
    void daneTaWithAFullKeyWorksWhenTheServerLeftTheCaOutOfItsChain() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        TestPki.Identity leaf = TestPki.leaf(ca, "mx.example.org");
        DaneVerdict v = verifier.verify(List.of(leaf.certificate()), List.of(TlsaRecord.of(2, 1, 0, ca.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.DANE_TA);
    }

    @Test
    void daneTaWithAFullCertificateWorksWhenTheServerLeftTheCaOutOfItsChain() throws Exception {
        // RFC 7671 5.2.2: a TA published in full ("2 0 0") need not be in the chain; a digest ("2 0 1") must be.
        TestPki.Identity ca = TestPki.ca("CA");
        TestPki.Identity leaf = TestPki.leaf(ca, "mx.example.org");
        DaneVerdict v = verifier.verify(List.of(leaf.certificate()), List.of(TlsaRecord.of(2, 0, 0, ca.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.DANE_TA);
        assertThat(verifier.verify(List.of(leaf.certificate()), List.of(TlsaRecord.of(2, 0, 1, ca.certificate())), MX)
                .result()).isEqualTo(Result.NO_MATCH);
    }

    @Test
    void aFullDaneTaCertificateThatDidNotSignTheChainDoesNotMatch() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        TestPki.Identity impostor = TestPki.ca("CA"); // same name, other key
        TestPki.Identity leaf = TestPki.leaf(impostor, "mx.example.org");
        DaneVerdict v = verifier.verify(List.of(leaf.certificate()), List.of(TlsaRecord.of(2, 0, 0, ca.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.NO_MATCH);
    }

    /** A leaf from a CA published as "2 1 1": the verdict and its reason. */
    private DaneVerdict underDaneTa(TestPki.Identity ca, TestPki.Identity leaf) {
        return verifier.verify(leaf.chain(), List.of(TlsaRecord.of(2, 1, 1, ca.certificate())), MX);
    }

    @Test
    void daneTaRefusesALeafForAnotherName() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        DaneVerdict v = underDaneTa(ca, TestPki.leaf(ca, "mx.elsewhere.test"));
        assertThat(v.result()).isEqualTo(Result.NO_MATCH);
        assertThat(v.reason()).contains("names none of mx.example.org");
    }

    @Test
    void daneTaRefusesAnExpiredLeaf() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        DaneVerdict v = underDaneTa(ca, TestPki.expiredLeaf(ca, "mx.example.org"));
        assertThat(v.result()).isEqualTo(Result.NO_MATCH);
        assertThat(v.reason()).contains("does not validate");
    }

    @Test
    void daneTaRefusesALeafThatTheMatchedCaDidNotSign() throws Exception {
        TestPki.Identity ca = TestPki.ca("CA");
        TestPki.Identity impostor = TestPki.ca("CA"); // same name, other key
        TestPki.Identity leaf = TestPki.leaf(impostor, "mx.example.org");
        List<java.security.cert.X509Certificate> chain = List.of(leaf.certificate(), ca.certificate());
        DaneVerdict v = verifier.verify(chain, List.of(TlsaRecord.of(2, 1, 1, ca.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.NO_MATCH);
    }

    @Test
    void daneTaDoesNotLetTheLeafBeItsOwnTrustAnchor() throws Exception {
        TestPki.Identity leaf = TestPki.selfSigned("mx.example.org");
        DaneVerdict v = verifier.verify(leaf.chain(), List.of(TlsaRecord.of(2, 1, 1, leaf.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.NO_MATCH);
    }

    @Test
    void recordsWithPkixUsagesOnlyAreReportedAsUnusable() throws Exception {
        TestPki.Identity leaf = TestPki.selfSigned("mx.example.org");
        DaneVerdict v = verifier.verify(leaf.chain(), List.of(TlsaRecord.of(0, 1, 1, leaf.certificate()),
                TlsaRecord.of(1, 1, 1, leaf.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.NO_USABLE_RECORDS);
        assertThat(v.authenticated()).isFalse();
    }

    @Test
    void oneUsableMatchingRecordAmongUnusableOnesAuthenticates() throws Exception {
        TestPki.Identity leaf = TestPki.selfSigned("mx.example.org");
        DaneVerdict v = verifier.verify(leaf.chain(), List.of(TlsaRecord.parse("1 1 1 " + "00".repeat(32)),
                TlsaRecord.parse("3 1 1 " + "11".repeat(32)), TlsaRecord.of(3, 0, 1, leaf.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.DANE_EE);
    }

    @Test
    void aSha256RecordIsIgnoredWhenASha512RecordExistsForTheSameUsageAndSelector() throws Exception {
        // RFC 7671 9: only the strongest digest of a usage and selector counts, so a broken weaker one cannot be used.
        TestPki.Identity leaf = TestPki.selfSigned("mx.example.org");
        TestPki.Identity other = TestPki.selfSigned("mx.example.org");
        DaneVerdict v = verifier.verify(leaf.chain(), List.of(TlsaRecord.of(3, 1, 2, other.certificate()),
                TlsaRecord.of(3, 1, 1, leaf.certificate())), MX);
        assertThat(v.result()).isEqualTo(Result.NO_MATCH);
    }

    @Test
    void digestAgilityLeavesOtherSelectorsAndFullRecordsAlone() throws Exception {
        TestPki.Identity leaf = TestPki.selfSigned("mx.example.org");
        TestPki.Identity other = TestPki.selfSigned("mx.example.org");
        assertThat(verifier.verify(leaf.chain(), List.of(TlsaRecord.of(3, 0, 2, other.certificate()),
                TlsaRecord.of(3, 1, 1, leaf.certificate())), MX).result()).isEqualTo(Result.DANE_EE);
        assertThat(verifier.verify(leaf.chain(), List.of(TlsaRecord.of(3, 1, 2, other.certificate()),
                TlsaRecord.of(3, 1, 0, leaf.certificate())), MX).result()).isEqualTo(Result.DANE_EE);
    }
}
