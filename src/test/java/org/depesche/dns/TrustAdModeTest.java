package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** trust-ad mode: the AD bit of a local validating resolver decides, and only a loopback one is accepted. */
class TrustAdModeTest {
    static TestDns dns;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder()
                .signedZone("example.test").mx(10, "mx.example.test")
                .tlsa("_25._tcp.mx.example.test", 3, 1, 1, DnssecValidationTest.SPKI_SHA256)
                .unsignedZone("plain.test").mx(10, "mx.plain.test")
                .start();
        dns.dropTlsa("_25._tcp.mx.example.test");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void aResolverThatIsNotOnLoopbackIsRefusedWithAClearMessage() {
        List<InetSocketAddress> remote = List.of(new InetSocketAddress("192.0.2.53", 53));

        assertThatThrownBy(() -> DnsResolvers.trustAd(remote, DnsLimits.defaults(), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback").hasMessageContaining("192.0.2.53");
    }

    @Test
    void anAnswerWithTheAdBitIsSecure() {
        DnsResult mx = dns.trustAdResolver().mx("example.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.SECURE);
        assertThat(mx.records()).hasSize(1);
    }

    @Test
    void anAnswerWithoutTheAdBitIsInsecure() {
        DnsResult mx = dns.trustAdResolver().mx("plain.test");

        assertThat(mx.status()).as(mx.toString()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(mx.records()).hasSize(1);
    }

    @Test
    void aServfailWithTheDnssecBogusExtendedErrorIsBogus() {
        DnsResult tlsa = dns.trustAdResolver().tlsa(25, "mx.example.test");

        assertThat(tlsa.status()).as(tlsa.toString()).isEqualTo(DnssecStatus.BOGUS);
        assertThat(tlsa.reason()).isEqualTo("the validating resolver failed _25._tcp.mx.example.test/TLSA "
                + "with extended error 6, DNSSEC bogus (test server: attack switched on)");
    }

    @Test
    void queriesAskForTheAdBitWithoutCheckingDisabled() {
        dns.resetQueries();
        DnsResult a = dns.trustAdResolver().lookup("nothing.example.test", Type.A);

        assertThat(a.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(dns.queries()).containsExactly("nothing.example.test/A");
    }
}
