package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.depesche.dns.DnsResult.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** KeyTrap-class answers and silent servers cost bounded work, and the resolver goes on answering (T14). */
class BoundedWorkTest {
    static TestDns dns;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder()
                .signedZone("example.test").mx(10, "mx.example.test").a("mx.example.test", "127.0.0.1")
                .signedZone("keytrap.test").keyTrap(60, 60).mx(10, "mx.keytrap.test")
                .signedZone("smalltrap.test").keyTrap(12, 12).mx(10, "mx.smalltrap.test")
                .start();
        dns.attack("_25._tcp.silent.example.test", Type.TLSA, TestDns.Attack.TIMEOUT);
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void aZoneWithManyCollidingKeysAndSignaturesIsRefusedAndOtherLookupsStillWork() {
        CachingDnsResolver resolver = dns.validatingResolver();

        DnsResult trap = resolver.mx("keytrap.test");
        DnsResult fine = resolver.mx("example.test");

        assertThat(trap.status()).as(trap.toString()).isIn(DnssecStatus.BOGUS, DnssecStatus.INDETERMINATE);
        assertThat(trap.records()).isEmpty();
        assertThat(trap.reason()).contains("more than the 16 allowed");
        assertThat(fine.status()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void collidingKeysBelowTheAnswerLimitsAreStoppedByTheValidatorsOwnBound() {
        CachingDnsResolver resolver = dns.validatingResolver();

        DnsResult trap = resolver.mx("smalltrap.test");
        DnsResult fine = resolver.lookup("mx.example.test", Type.A);

        assertThat(trap.status()).as(trap.toString()).isIn(DnssecStatus.BOGUS, DnssecStatus.INDETERMINATE);
        assertThat(trap.records()).isEmpty();
        assertThat(fine.status()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void aServerThatNeverAnswersGivesAnIndeterminateFailureWithAReason() {
        CachingDnsResolver resolver = dns.validatingResolver();

        DnsResult tlsa = resolver.tlsa(25, "silent.example.test");

        assertThat(tlsa.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(tlsa.status()).isEqualTo(DnssecStatus.INDETERMINATE);
        assertThat(tlsa.reason()).contains("_25._tcp.silent.example.test/TLSA");
        assertThat(resolver.mx("example.test").status()).isEqualTo(DnssecStatus.SECURE);
    }
}
