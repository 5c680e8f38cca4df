package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.depesche.dns.DnsResult.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * Issue 8: "insecure" only on proof (RFC 4035 5.2, RFC 4033 5). The proofs a
 * real unsigned zone gives are accepted: an opt-out span of the parent's
 * NSEC3 chain (as .com has), DS records of a digest type nobody validates
 * (RFC 6840 5.2); a signed zone's answers stay secure or fail, never become
 * insecure.
 */
class InsecurityProofTest {
    static TestDns dns;
    CachingDnsResolver resolver;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder()
                .signedZone("spans.test").nsec3(0).nsec3OptOut().mx(10, "mx.spans.test").a("mx.spans.test", "127.0.0.1")
                .unsignedZone("plain.spans.test").mx(10, "mx.plain.spans.test").a("mx.plain.spans.test", "127.0.0.2")
                .signedZone("signed.spans.test").mx(10, "mx.signed.spans.test").a("mx.signed.spans.test", "127.0.0.3")
                .signedZone("digests.test").mx(10, "mx.digests.test")
                .unsignedZone("odd.digests.test").dsDigestType(200).mx(10, "mx.odd.digests.test")
                .a("mx.odd.digests.test", "127.0.0.4")
                .start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void freshResolver() {
        dns.stopAttacks();
        resolver = dns.validatingResolver();
    }

    @Test
    void anUnsignedChildInAnOptOutSpanIsInsecure() {
        DnsResult mx = resolver.mx("plain.spans.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(mx.records()).hasSize(1);
        assertThat(mx.reason()).contains("opt-out");
    }

    @Test
    void aNameErrorInsideAnOptOutSpanIsAnInsecureNxdomain() {
        // RFC 5155 9.2: the name might exist as an unsigned delegation, so the NXDOMAIN carries no AD; it is
        // still a real "does not exist" for a sender, which bounces rather than waits for days
        DnsResult mx = resolver.mx("nothing.spans.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(mx.outcome()).isEqualTo(Outcome.NXDOMAIN);
    }

    @Test
    void aSignedChildOfAnOptOutParentStaysSecure() {
        DnsResult mx = resolver.mx("signed.spans.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void anUnsignedAnswerForASignedChildOfAnOptOutParentIsNotInsecure() {
        dns.forge("signed.spans.test", Type.MX, "10 mx.attacker.test.");

        DnsResult mx = resolver.mx("signed.spans.test");

        assertThat(mx.status()).as(mx.toString()).isIn(DnssecStatus.BOGUS, DnssecStatus.INDETERMINATE);
        assertThat(mx.records()).isEmpty();
    }

    @Test
    void aChildWhoseOnlyDsHasAnUnknownDigestTypeIsInsecure() {
        DnsResult mx = resolver.mx("odd.digests.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(mx.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(mx.reason()).contains("RFC 6840 5.2");
    }

    @Test
    void anUnsignedNxdomainInASignedZoneIsNotInsecure() {
        dns.attack("mx.spans.test", Type.A, TestDns.Attack.NXDOMAIN_WITHOUT_PROOF);

        DnsResult a = resolver.lookup("mx.spans.test", Type.A);

        assertThat(a.status()).as(a.toString()).isIn(DnssecStatus.BOGUS, DnssecStatus.INDETERMINATE);
        assertThat(a.outcome()).isEqualTo(Outcome.FAILED);
    }
}
