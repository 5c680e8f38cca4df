package org.depesche.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;

class CertificateNamesTest {

    @Test
    void namesMatchExactlyIgnoringCaseAndTheTrailingDot() {
        assertThat(CertificateNames.matches("MX.Example.ORG", "mx.example.org.")).isTrue();
        assertThat(CertificateNames.matches("mx.example.org", "mx2.example.org")).isFalse();
    }

    @Test
    void aWildcardCoversExactlyOneLeftMostLabel() {
        assertThat(CertificateNames.matches("*.example.org", "mx.example.org")).isTrue();
        assertThat(CertificateNames.matches("*.example.org", "a.mx.example.org")).isFalse();
        assertThat(CertificateNames.matches("*.example.org", "example.org")).isFalse();
    }

    @Test
    void wildcardsAnywhereElseOrOverATopLevelDomainNeverMatch() {
        assertThat(CertificateNames.matches("mx.*.org", "mx.example.org")).isFalse();
        assertThat(CertificateNames.matches("m*.example.org", "mx.example.org")).isFalse();
        assertThat(CertificateNames.matches("*.org", "example.org")).isFalse();
        assertThat(CertificateNames.matches("*.*.org", "mx.example.org")).isFalse();
    }

    @Test
    void dnsNamesComeFromTheSubjectAltNameAndTheCommonNameIsIgnoredThen() throws Exception {
        var ca = TestPki.ca("CA");
        var cert = TestPki.leaf(ca, "mx.example.org", "mx2.example.org").certificate(); // CN mx.example.org too
        assertThat(CertificateNames.presentedNames(cert, true)).containsExactly("mx.example.org", "mx2.example.org");
        assertThat(CertificateNames.matchedName(cert, Set.of("other.test", "mx2.example.org"), false)).contains("mx2.example.org");
        assertThat(CertificateNames.matchedName(cert, Set.of("other.test"), true)).isEmpty();
    }

    @Test
    void theCommonNameCountsOnlyWhenAllowedAndThereIsNoDnsName() throws Exception {
        var cert = TestPki.leafWithCommonNameOnly(TestPki.ca("CA"), "mx.example.org").certificate();
        assertThat(CertificateNames.matchedName(cert, Set.of("mx.example.org"), true)).contains("mx.example.org");
        assertThat(CertificateNames.matchedName(cert, Set.of("mx.example.org"), false)).isEmpty();
    }
}
