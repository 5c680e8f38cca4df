package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * Review of issue 8's fix: unsigned space that dnsjava calls bogus is still
 * proven unsigned: a CNAME from a signed zone into a zone with DS records of
 * an unusable digest type only, and a zone whose only DS is GOST, which the
 * validator here has no provider for (RFC 6840 5.2).
 */
class UnsignedSpaceAvailabilityTest {
    static TestDns dns;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder()
                .signedZone("example.test").mx(10, "mx.example.test")
                .cname("www.example.test", "mx.odd.digests.test")
                .signedZone("digests.test").mx(10, "mx.digests.test")
                .unsignedZone("odd.digests.test").dsDigestType(200).mx(10, "mx.odd.digests.test")
                .a("mx.odd.digests.test", "127.0.0.4")
                .unsignedZone("gost.digests.test").dsDigestType(3).mx(10, "mx.gost.digests.test")
                .a("mx.gost.digests.test", "127.0.0.5")
                .start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void aCnameFromASignedZoneIntoAZoneWithAnUnusableDsIsInsecure() {
        DnsResult direct = dns.validatingResolver().lookup("mx.odd.digests.test", Type.A);
        System.out.println("direct: " + direct);
        DnsResult a = dns.validatingResolver().lookup("www.example.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.INSECURE);
    }

    @Test
    void aZoneWhoseOnlyDsIsGostIsInsecureAsDnsjavaCannotUseIt() {
        DnsResult a = dns.validatingResolver().lookup("mx.gost.digests.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.INSECURE);
    }
}
