package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.depesche.dns.DnsResult.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** Denial of existence with NSEC3 (RFC 5155), and the iteration limit of RFC 9276. */
class Nsec3DenialTest {
    static TestDns dns;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder()
                .signedZone("hashed.test").nsec3(0).mx(10, "mx.hashed.test").a("mx.hashed.test", "127.0.0.1")
                .tlsa("_25._tcp.mx.hashed.test", 3, 1, 1, DnssecValidationTest.SPKI_SHA256)
                .unsignedZone("plain.hashed.test").mx(10, "mx.plain.hashed.test")
                .signedZone("costly.test").nsec3(500).mx(10, "mx.costly.test").a("mx.costly.test", "127.0.0.1")
                .start();
        dns.dropTlsa("_25._tcp.mx.hashed.test");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void aNameProvenAbsentByNsec3IsSecureNxdomain() {
        DnsResult a = dns.validatingResolver().lookup("nothing.hashed.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(a.outcome()).isEqualTo(Outcome.NXDOMAIN);
    }

    @Test
    void aTypeProvenAbsentByNsec3IsSecureNodata() {
        DnsResult aaaa = dns.validatingResolver().lookup("mx.hashed.test", Type.AAAA);

        assertThat(aaaa.status()).as(aaaa.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(aaaa.outcome()).isEqualTo(Outcome.NODATA);
    }

    @Test
    void anEmptyNonTerminalIsSecureNodataUnderNsec3() {
        DnsResult ent = dns.validatingResolver().lookup("_tcp.mx.hashed.test", Type.TLSA);

        assertThat(ent.status()).as(ent.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(ent.outcome()).isEqualTo(Outcome.NODATA);
    }

    @Test
    void anUnsignedChildOfAnNsec3ZoneIsInsecure() {
        DnsResult mx = dns.validatingResolver().mx("plain.hashed.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(mx.records()).hasSize(1);
    }

    @Test
    void aDroppedTlsaWithoutNsec3ProofIsBogus() {
        DnsResult tlsa = dns.validatingResolver().tlsa(25, "mx.hashed.test");

        assertThat(tlsa.status()).as(tlsa.toString()).isEqualTo(DnssecStatus.BOGUS);
    }

    @Test
    void signedDataInAZoneWithTooManyNsec3IterationsIsStillSecure() {
        DnsResult mx = dns.validatingResolver().mx("costly.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void aDenialWithMoreThan150Nsec3IterationsIsNotSecure() {
        CachingDnsResolver resolver = dns.validatingResolver();
        DnsResult nx = resolver.lookup("nothing.costly.test", Type.A);
        DnsResult nodata = resolver.lookup("mx.costly.test", Type.AAAA);

        // RFC 9276 3.2: insecure (or SERVFAIL); dnsjava gives insecure for NXDOMAIN and bogus for NODATA
        assertThat(nx.status()).as(nx.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(nx.outcome()).isEqualTo(Outcome.NXDOMAIN);
        assertThat(nodata.status()).as(nodata.toString()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(nodata.reason()).contains("ignored due to unknown algorithms or invalid iteration counts");
    }
}
