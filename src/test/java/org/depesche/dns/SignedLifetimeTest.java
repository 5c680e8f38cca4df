package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * Issue 8, findings 2 and 5: a signed answer is cached no longer than its
 * signatures allow (RFC 4035 5.3.3), and a forged key answer is not kept
 * for the validator, so one spoofed reply does not make a zone bogus for
 * minutes: not a forged DS denial either (found in the review of the fix),
 * and a kept key answer is handed out with the TTL that is left, so a key
 * is not trusted past its signatures.
 */
class SignedLifetimeTest {
    private final SettableClock clock = new SettableClock(Instant.parse("2026-05-01T08:00:00Z"));
    private TestDns dns;

    @AfterEach
    void stop() {
        if (dns != null) dns.close();
    }

    @Test
    void aSecureAnswerIsNotServedFromTheCacheAfterItsSignatureExpired() {
        dns = exampleTest().start();
        // the signatures end 30 days after the build; 100 s before that, TTL 300 would outlive them
        clock.advance(Duration.ofDays(30).minusSeconds(100));
        CachingDnsResolver resolver = dns.validatingResolver(TestDns.testLimits(), clock);
        assertThat(resolver.lookup("mx.example.test", Type.A).status()).isEqualTo(DnssecStatus.SECURE);

        clock.advance(Duration.ofSeconds(150));
        dns.resetQueries();
        DnsResult later = resolver.lookup("mx.example.test", Type.A);

        assertThat(dns.queries()).as("asked again once the signature expired").contains("mx.example.test/A");
        assertThat(later.status()).as(later.toString()).isNotEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void aForgedDnskeyAnswerIsNotKeptForTheNextLookup() {
        dns = exampleTest().start();
        CachingDnsResolver resolver = dns.validatingResolver(TestDns.testLimits(), clock);
        dns.attack("example.test", Type.DNSKEY, TestDns.Attack.CORRUPT_SIGNATURE);
        assertThat(resolver.mx("example.test").status()).isEqualTo(DnssecStatus.BOGUS);

        dns.stopAttacks();
        DnsResult next = resolver.lookup("www.example.test", Type.A);

        assertThat(next.status()).as(next.toString()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void aDsNodataWithoutProofIsNotKeptForTheNextLookup() {
        dns = exampleTest()
                .signedZone("other.test").mx(10, "mx.other.test")
                .start();
        CachingDnsResolver resolver = dns.validatingResolver(TestDns.testLimits(), clock);
        // the validator now holds test's key (KeyAnswers keeps test/DNSKEY)
        assertThat(resolver.mx("other.test").status()).isEqualTo(DnssecStatus.SECURE);

        // one spoofed reply: the DS of example.test denied, with test's real signed SOA and no NSEC
        dns.attack("example.test", Type.DS, TestDns.Attack.NODATA_WITHOUT_PROOF);
        assertThat(resolver.mx("example.test").status()).isNotEqualTo(DnssecStatus.SECURE);
        dns.stopAttacks();
        clock.advance(Duration.ofMinutes(2)); // past dnsjava's bad-key TTL (60 s) and the bogus TTL (60 s)

        DnsResult next = resolver.lookup("www.example.test", Type.A);

        assertThat(next.status()).as(next.toString()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void aKeptDnskeyAnswerIsNotServedAsSecureAfterItsSignatureExpired() {
        dns = exampleTest().start();
        // the signatures end 30 days after the build; 100 s before that the TTLs are capped to 100 s
        clock.advance(Duration.ofDays(30).minusSeconds(100));
        CachingDnsResolver resolver = dns.validatingResolver(TestDns.testLimits(), clock);
        assertThat(resolver.lookup("mx.example.test", Type.A).status()).isEqualTo(DnssecStatus.SECURE);

        clock.advance(Duration.ofSeconds(90)); // the kept DNSKEY answer has 10 s left
        assertThat(resolver.lookup("example.test", Type.DNSKEY).status()).isEqualTo(DnssecStatus.SECURE);
        clock.advance(Duration.ofSeconds(60)); // 50 s after every signature of the zone expired
        dns.resetQueries();
        DnsResult later = resolver.lookup("example.test", Type.DNSKEY);

        assertThat(later.status()).as(later.toString()).isNotEqualTo(DnssecStatus.SECURE);
    }

    /** The signed zone every case here uses, on the test's clock. */
    private TestDns.Builder exampleTest() {
        return TestDns.builder().clock(clock)
                .signedZone("example.test").mx(10, "mx.example.test").a("mx.example.test", "127.0.0.1")
                .a("www.example.test", "127.0.0.2");
    }
}
