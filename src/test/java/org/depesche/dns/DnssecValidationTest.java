package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.depesche.dns.DnsResult.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/** The validating resolver against a signed hierarchy on the wire: statuses and attacks (THREATS T3, T4). */
class DnssecValidationTest {
    static final byte[] SPKI_SHA256 = HexFormat.of().parseHex(
            "8bd1da95272f7fa4ffb24137fc0ed03aae67e5c4d8b3c50734e1050a7920b922");
    static TestDns dns;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder()
                .signedZone("example.test").mx(20, "mx2.example.test").mx(10, "mx.example.test")
                .a("mx.example.test", "127.0.0.1").aaaa("mx.example.test", "::1").a("mx2.example.test", "127.0.0.2")
                .tlsa("_25._tcp.mx.example.test", 3, 1, 1, SPKI_SHA256)
                .signedZone("forged.test").mx(10, "mx.forged.test").a("mx.forged.test", "127.0.0.1")
                .tlsa("_25._tcp.mx.forged.test", 3, 1, 1, SPKI_SHA256)
                .signedZone("expired.test").mx(10, "mx.expired.test").a("mx.expired.test", "127.0.0.1")
                .signedZone("nomail.test").mx(0, ".")
                .signedZone("lame.test").lameDelegation().mx(10, "mx.lame.test")
                .unsignedZone("plain.test").mx(10, "mx.plain.test").a("mx.plain.test", "127.0.0.3")
                .start();
        dns.forge("forged.test", Type.MX, "10 mx.attacker.test.");
        dns.forgeSigned("mx.forged.test", Type.A, "192.0.2.66");
        dns.dropTlsa("_25._tcp.mx.forged.test");
        dns.attack("expired.test", Type.MX, TestDns.Attack.EXPIRED_SIGNATURE);
        dns.attack("mx.expired.test", Type.A, TestDns.Attack.CORRUPT_SIGNATURE);
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void mxOfASignedZoneIsSecureAndSortedByPreference() {
        DnsResult mx = dns.validatingResolver().mx("example.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(mx.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(mx.records(MXRecord.class)).extracting(r -> r.getTarget().toString())
                .containsExactly("mx.example.test.", "mx2.example.test.");
    }

    @Test
    void aNullMxIsRecognised() {
        DnsResult mx = dns.validatingResolver().mx("nomail.test");

        assertThat(mx.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(mx.isNullMx()).isTrue();
        assertThat(dns.validatingResolver().mx("example.test").isNullMx()).isFalse();
    }

    @Test
    void addressesOfASignedHostAreSecureIpv6First() {
        Addresses a = dns.validatingResolver().addresses("mx.example.test");

        assertThat(a.status()).as(a.reason()).isEqualTo(DnssecStatus.SECURE);
        assertThat(a.addresses()).extracting(java.net.InetAddress::getHostAddress)
                .containsExactly("0:0:0:0:0:0:0:1", "127.0.0.1");
    }

    @Test
    void tlsaOfASignedHostIsSecure() {
        DnsResult tlsa = dns.validatingResolver().tlsa(25, "mx.example.test");

        assertThat(tlsa.status()).as(tlsa.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(tlsa.records(TLSARecord.class)).singleElement()
                .satisfies(r -> assertThat(r.getCertificateAssociationData()).isEqualTo(SPKI_SHA256));
    }

    @Test
    void mxOfAnUnsignedZoneIsInsecure() {
        DnsResult mx = dns.validatingResolver().mx("plain.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(mx.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(mx.records(MXRecord.class)).extracting(r -> r.getTarget().toString()).containsExactly("mx.plain.test.");
    }

    @Test
    void aForgedUnsignedMxInASignedZoneIsBogusAndNotReturned() {
        DnsResult mx = dns.validatingResolver().mx("forged.test");

        assertThat(mx.status()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(mx.records()).isEmpty();
        assertThat(mx.reason()).isEqualTo("DNSSEC validation of forged.test/MX failed: RRSIGS missing: "
                + "Could not validate RRset due to missing signature");
    }

    @Test
    void anAddressSignedByAKeyOutsideTheChainOfTrustIsBogus() {
        DnsResult a = dns.validatingResolver().lookup("mx.forged.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(a.records()).isEmpty();
    }

    @Test
    void aTlsaRecordDroppedWithoutSignedDenialIsBogus() {
        DnsResult tlsa = dns.validatingResolver().tlsa(25, "mx.forged.test");

        assertThat(tlsa.status()).as(tlsa.toString()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(tlsa.reason()).isEqualTo("DNSSEC validation of _25._tcp.mx.forged.test/TLSA failed: NSEC missing: "
                + "NODATA response failed to prove NODATA status with NSEC/NSEC3");
    }

    @Test
    void aSignedDenialOfTlsaIsSecureAndEmpty() {
        DnsResult tlsa = dns.validatingResolver().tlsa(25, "mx2.example.test");

        assertThat(tlsa.status()).as(tlsa.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(tlsa.outcome()).isEqualTo(Outcome.NXDOMAIN);
        assertThat(tlsa.records()).isEmpty();
    }

    @Test
    void aSignedNodataIsSecureAndEmpty() {
        DnsResult aaaa = dns.validatingResolver().lookup("mx2.example.test", Type.AAAA);

        assertThat(aaaa.status()).as(aaaa.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(aaaa.outcome()).isEqualTo(Outcome.NODATA);
    }

    @Test
    void aNameProvenAbsentByNsecIsSecureNxdomain() {
        DnsResult a = dns.validatingResolver().lookup("nothing-here.example.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(a.outcome()).isEqualTo(Outcome.NXDOMAIN);
    }

    @Test
    void anEmptyNonTerminalIsSecureNodata() {
        DnsResult ent = dns.validatingResolver().lookup("_tcp.mx.example.test", Type.TLSA);

        assertThat(ent.status()).as(ent.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(ent.outcome()).isEqualTo(Outcome.NODATA);
    }

    @Test
    void anExpiredSignatureIsBogus() {
        DnsResult mx = dns.validatingResolver().mx("expired.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(mx.records()).isEmpty();
    }

    @Test
    void aSignatureWithFlippedBytesIsBogus() {
        DnsResult a = dns.validatingResolver().lookup("mx.expired.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.BOGUS);
    }

    @Test
    void aLameDelegationWithDsButNoDnskeyIsBogus() {
        DnsResult mx = dns.validatingResolver().mx("lame.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(mx.reason()).contains("DNSKEY missing").contains("lame.test");
    }
}
