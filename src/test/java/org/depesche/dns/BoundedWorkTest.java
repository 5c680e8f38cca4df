package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    void manyConcurrentLookupsAllValidate() throws Exception {
        CachingDnsResolver resolver = dns.validatingResolver();
        List<Future<DnsResult>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 40; i++) {
                String name = i % 2 == 0 ? "mx.example.test" : "n" + i + ".example.test";
                results.add(threads.submit(() -> resolver.lookup(name, Type.A)));
            }
        }
        for (Future<DnsResult> r : results) {
            assertThat(r.get().status()).as(r.get().toString()).isEqualTo(DnssecStatus.SECURE);
        }
    }

    @Test
    void lookupsOfOneNameAtTheSameTimeGoUpstreamOnce() throws Exception {
        CachingDnsResolver resolver = dns.validatingResolver();
        resolver.mx("example.test"); // keys known: the lookups below need one query each
        dns.holdAnswers();
        dns.resetQueries();
        List<Future<DnsResult>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) results.add(threads.submit(() -> resolver.tlsa(25, "mx.example.test")));
            while (dns.queryCount() == 0) Thread.sleep(5); // the first lookup reached the server and waits there
            dns.releaseAnswers();
        }
        for (Future<DnsResult> r : results) assertThat(r.get().status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(dns.queries()).containsExactly("_25._tcp.mx.example.test/TLSA");
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
