package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.depesche.dns.DnsResult.CnameLink;
import org.depesche.dns.DnsResult.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Type;

/** CNAME chains keep the status of every link; the whole is secure only if every link is (RFC 7672 2.2.3). */
class CnameChainTest {
    static TestDns dns;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder()
                .signedZone("example.test")
                .cname("alias.example.test", "mx.hosting.test")
                .cname("to-plain.example.test", "mx.plain.test")
                .cname("dangling.example.test", "gone.hosting.test")
                .signedZone("hosting.test").a("mx.hosting.test", "127.0.0.1")
                .unsignedZone("plain.test").a("mx.plain.test", "127.0.0.2")
                .cname("from-plain.plain.test", "mx.hosting.test")
                .start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void aChainThroughSignedZonesIsSecureLinkByLink() {
        DnsResult a = dns.validatingResolver().lookup("alias.example.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(a.cnameChain()).containsExactly(
                new CnameLink("alias.example.test", "mx.hosting.test", DnssecStatus.SECURE));
        assertThat(a.canonicalName()).isEqualTo("mx.hosting.test");
        assertThat(a.records(ARecord.class)).extracting(r -> r.getAddress().getHostAddress()).containsExactly("127.0.0.1");
    }

    @Test
    void aSecureAliasIntoAnUnsignedZoneIsInsecureButItsFirstLinkStaysSecure() {
        DnsResult a = dns.validatingResolver().lookup("to-plain.example.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(a.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(a.cnameChain()).containsExactly(
                new CnameLink("to-plain.example.test", "mx.plain.test", DnssecStatus.SECURE));
    }

    @Test
    void anUnsignedAliasIntoASignedZoneIsInsecureAtItsFirstLink() {
        DnsResult a = dns.validatingResolver().lookup("from-plain.plain.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(a.cnameChain()).containsExactly(
                new CnameLink("from-plain.plain.test", "mx.hosting.test", DnssecStatus.INSECURE));
    }

    @Test
    void anAliasToANameProvenAbsentIsSecureNxdomain() {
        DnsResult a = dns.validatingResolver().lookup("dangling.example.test", Type.A);

        assertThat(a.status()).as(a.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(a.outcome()).isEqualTo(Outcome.NXDOMAIN);
        assertThat(a.canonicalName()).isEqualTo("gone.hosting.test");
    }
}
