package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.depesche.dns.DnsResult.Outcome;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** Answers, negative answers and validated keys are cached by TTL: a warm lookup sends no packet. */
class DnsCacheTest {
    static TestDns dns;
    static final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T12:00:00Z"));
    CachingDnsResolver resolver;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder().clock(clock)
                .signedZone("example.test").mx(10, "mx.example.test").a("mx.example.test", "127.0.0.1")
                .tlsa("_25._tcp.mx.example.test", 3, 1, 1, DnssecValidationTest.SPKI_SHA256)
                .signedZone("other.test").mx(10, "mx.other.test")
                .start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void newResolver() {
        resolver = dns.validatingResolver(TestDns.testLimits(), clock);
    }

    @Test
    void aRepeatedLookupIsAnsweredFromTheCacheWithoutAQuery() {
        DnsResult cold = resolver.tlsa(25, "mx.example.test");
        dns.resetQueries();

        DnsResult warm = resolver.tlsa(25, "mx.example.test");

        assertThat(dns.queries()).isEmpty();
        assertThat(warm).isEqualTo(cold);
        assertThat(warm.status()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void validatedKeysAreCachedSoAnotherNameInTheZoneCostsOneQuery() {
        resolver.mx("example.test");
        dns.resetQueries();

        DnsResult a = resolver.lookup("mx.example.test", Type.A);

        assertThat(a.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(dns.queries()).containsExactly("mx.example.test/A");
    }

    @Test
    void theKeysOfParentZonesAreNotFetchedAgainForANewZone() {
        resolver.mx("example.test");
        dns.resetQueries();

        DnsResult other = resolver.mx("other.test");

        assertThat(other.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(dns.queries()).containsExactlyInAnyOrder("other.test/MX", "other.test/DS", "other.test/DNSKEY");
    }

    @Test
    void aNonexistentNameIsCachedWithItsStatus() {
        DnsResult first = resolver.lookup("nothing.example.test", Type.A);
        dns.resetQueries();

        DnsResult second = resolver.lookup("nothing.example.test", Type.A);

        assertThat(dns.queries()).isEmpty();
        assertThat(second.outcome()).isEqualTo(Outcome.NXDOMAIN);
        assertThat(second.status()).isEqualTo(DnssecStatus.SECURE).isEqualTo(first.status());
    }

    @Test
    void aNodataAnswerIsCachedToo() {
        resolver.lookup("mx.example.test", Type.AAAA);
        dns.resetQueries();

        DnsResult again = resolver.lookup("mx.example.test", Type.AAAA);

        assertThat(dns.queries()).isEmpty();
        assertThat(again.outcome()).isEqualTo(Outcome.NODATA);
    }

    @Test
    void anAnswerIsAskedForAgainOnceItsTtlHasPassed() {
        resolver.mx("example.test");
        clock.advance(Duration.ofSeconds(TestZone.TTL + 1));
        dns.resetQueries();

        DnsResult again = resolver.mx("example.test");

        assertThat(dns.queries()).contains("example.test/MX");
        assertThat(again.status()).isEqualTo(DnssecStatus.SECURE);
    }

    @Test
    void theCacheTimeIsClampedToTheConfiguredMinimumAndMaximum() {
        CachingDnsResolver shortMax = dns.validatingResolver(ttls(Duration.ofSeconds(1), Duration.ofSeconds(60)), clock);
        CachingDnsResolver longMin = dns.validatingResolver(ttls(Duration.ofSeconds(600), Duration.ofDays(1)), clock);
        shortMax.mx("example.test");
        longMin.mx("example.test");
        clock.advance(Duration.ofSeconds(TestZone.TTL + 1));
        dns.resetQueries();

        longMin.mx("example.test");
        assertThat(dns.queries()).as("a 300 s answer kept for the 600 s minimum").isEmpty();
        shortMax.mx("example.test");
        assertThat(dns.queries()).as("a 300 s answer dropped after the 60 s maximum").contains("example.test/MX");
    }

    private static DnsLimits ttls(Duration min, Duration max) {
        return DnsLimits.builder().queryTimeout(Duration.ofSeconds(2)).minTtl(min).maxTtl(max).build();
    }

    @Test
    void aFailedLookupIsNotCachedSoTheNextTryAsksAgain() {
        dns.attack("timeout.example.test", Type.A, TestDns.Attack.SERVFAIL);
        try {
            DnsResult failed = resolver.lookup("timeout.example.test", Type.A);
            assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(failed.status()).isEqualTo(DnssecStatus.INDETERMINATE);
            assertThat(failed.reason()).contains("SERVFAIL");
            dns.resetQueries();

            resolver.lookup("timeout.example.test", Type.A);

            assertThat(dns.queries()).contains("timeout.example.test/A");
        } finally {
            dns.stopAttacks();
        }
    }

    @Test
    void theCacheHoldsNoMoreThanItsBound() {
        DnsLimits small = DnsLimits.builder().cacheEntries(2).build();
        CachingDnsResolver bounded = dns.validatingResolver(small, clock);
        for (String name : new String[] {"a1", "a2", "a3", "a4"}) bounded.lookup(name + ".example.test", Type.A);

        assertThat(bounded.cachedAnswers()).isEqualTo(2);
    }
}
