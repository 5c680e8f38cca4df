package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.depesche.testsupport.SettableClock;
import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.TestPki;

class PolicyCacheTest {
    static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n";
    static final String TESTING = "version: STSv1\r\nmode: testing\r\nmx: *.example.org\r\nmax_age: 86400\r\n";
    static TestPki.Identity ca;
    static SSLContext trust;

    @TempDir
    Path data;
    final SettableClock clock = new SettableClock();
    final Map<String, StsRecord> txt = new ConcurrentHashMap<>();

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca("Test MTA-STS CA");
        trust = PolicyServer.clientTrusting(ca);
    }

    private PolicyCache cache(PolicyServer server) {
        return new PolicyCache(new FilePolicyStore(data.resolve("mta-sts")), server.fetcher(trust), d -> Optional.ofNullable(txt.get(d)), clock);
    }

    /** Caches ENFORCE under id1 for example.org, stops the policy host and returns a fetcher aimed at it. */
    private PolicyFetcher cacheEnforcePolicyThenStopTheHost() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            txt.put("example.org", new StsRecord("id1"));
            cache(server).policyFor("example.org");
            return server.fetcher(trust);
        }
    }

    @Test
    void aFetchedPolicyIsReusedWhileItsIdStaysTheSame() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            txt.put("example.org", new StsRecord("id1"));
            PolicyCache cache = cache(server);
            assertThat(cache.policyFor("example.org")).get().extracting(e -> e.policy().mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
            assertThat(cache.policyFor("Example.ORG.")).get().extracting(PolicyCache.Entry::id).isEqualTo("id1");
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    /** An SMTPUTF8 recipient's domain may come in U-labels (RFC 6531 3.2); DNS and the cache know the A-label. */
    @Test
    void aDomainWrittenInUnicodeIsLookedUpAndCachedUnderItsALabel() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            txt.put("xn--bcher-kva.example", new StsRecord("id1"));
            PolicyCache cache = cache(server);
            assertThat(cache.policyFor("b\u00fccher.example")).get().extracting(PolicyCache.Entry::id).isEqualTo("id1");
            assertThat(cache.policyFor("xn--bcher-kva.example")).get().extracting(PolicyCache.Entry::id).isEqualTo("id1");
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    /** THREATS T14: a recipient domain whose DNS or policy host is slow must not hold up delivery to every other domain. */
    @Test
    void aSlowLookupForOneDomainDoesNotHoldUpThePolicyOfAnother() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE);
             var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            PolicyCache cache = new PolicyCache(new FilePolicyStore(data.resolve("mta-sts")), server.fetcher(trust), d -> {
                if (d.equals("slow.example")) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Optional.empty();
            }, clock);
            var slow = threads.submit(() -> cache.policyFor("slow.example"));
            try {
                entered.await();
                var other = threads.submit(() -> cache.policyFor("example.org"));
                assertThat(other.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
            } finally {
                release.countDown();
            }
            assertThat(slow.get()).isEmpty();
        }
    }

    /** THREATS T14: short enough for a test; the margin is for a loaded machine, never for the stall. */
    static final Duration DEADLINE = Duration.ofSeconds(2);
    static final Duration MARGIN = Duration.ofSeconds(8);

    /**
     * THREATS T14: ten deliveries at once to a domain whose policy host sends
     * the headers and then nothing. One request reaches the host, and every
     * delivery has its answer (no policy: nothing was cached, RFC 8461 5.1)
     * within the deadline, not when the host lets go.
     */
    @Test
    void tenDeliveriesToADomainWhosePolicyHostStallsMakeOneFetchAndWaitAtMostTheDeadline() throws Exception {
        txt.put("example.org", new StsRecord("id1"));
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).stallAfterHeaders(ENFORCE);
             var deliveries = Executors.newVirtualThreadPerTaskExecutor()) {
            PolicyCache cache = new PolicyCache(new FilePolicyStore(data.resolve("mta-sts")), server.fetcher(trust, DEADLINE),
                    d -> Optional.ofNullable(txt.get(d)), clock);
            long start = System.nanoTime();
            List<Future<Optional<PolicyCache.Entry>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) answers.add(deliveries.submit(() -> cache.policyFor("example.org")));
            for (var answer : answers) assertThat(answer.get(DEADLINE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS)).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE.plus(MARGIN));
            assertThat(server.requests()).isEqualTo(1);
            assertThat(cache.lastFailure("example.org")).get()
                    .extracting(PolicyException::reason).isEqualTo(PolicyException.Reason.DEADLINE);
        }
    }

    /** RFC 8461 3.3: after a failed fetch, the next one for the same id only after five minutes; a new id at once. */
    @Test
    void aFailedFetchIsTriedAgainForTheSameIdOnlyAfterFiveMinutes() throws Exception {
        txt.put("example.org", new StsRecord("id1"));
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).respond(404, "text/plain", new byte[0])) {
            PolicyCache cache = cache(server);
            assertThat(cache.policyFor("example.org")).isEmpty();
            clock.advance(PolicyCache.RETRY_AFTER.minusSeconds(1));
            assertThat(cache.policyFor("example.org")).isEmpty();
            assertThat(server.requests()).isEqualTo(1);
            assertThat(cache.lastFailure("example.org")).get()
                    .extracting(PolicyException::reason).isEqualTo(PolicyException.Reason.REFUSED);

            server.serve(ENFORCE);
            clock.advance(Duration.ofSeconds(1));
            assertThat(cache.policyFor("example.org")).isPresent();
            assertThat(server.requests()).isEqualTo(2);
            assertThat(cache.lastFailure("example.org")).isEmpty();

            server.respond(404, "text/plain", new byte[0]);
            txt.put("example.org", new StsRecord("id2"));
            assertThat(cache.policyFor("example.org")).get().extracting(PolicyCache.Entry::id).isEqualTo("id1");
            txt.put("example.org", new StsRecord("id3"));
            cache.policyFor("example.org");
            assertThat(server.requests()).isEqualTo(4);
        }
    }

    @Test
    void aDomainWithoutTxtRecordAndNothingCachedHasNoPolicy() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            assertThat(cache(server).policyFor("example.org")).isEmpty();
            assertThat(server.requests()).isZero();
        }
    }

    @Test
    void aNewTxtIdTriggersARefetch() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            txt.put("example.org", new StsRecord("id1"));
            PolicyCache cache = cache(server);
            cache.policyFor("example.org");
            server.serve(TESTING);
            txt.put("example.org", new StsRecord("id2"));
            PolicyCache.Entry e = cache.policyFor("example.org").orElseThrow();
            assertThat(e.id()).isEqualTo("id2");
            assertThat(e.policy().mode()).isEqualTo(StsPolicy.Mode.TESTING);
            assertThat(server.requests()).isEqualTo(2);
        }
    }

    @Test
    void theCacheSurvivesARestartAndIsUsedWhenThePolicyHostIsDown() throws Exception {
        PolicyFetcher deadFetcher = cacheEnforcePolicyThenStopTheHost();
        assertThat(Files.exists(data.resolve("mta-sts/example.org.json"))).isTrue();
        txt.put("example.org", new StsRecord("id2")); // forces a fetch, which fails: the host is gone
        PolicyCache restarted = new PolicyCache(new FilePolicyStore(data.resolve("mta-sts")), deadFetcher, d -> Optional.ofNullable(txt.get(d)), clock);
        PolicyCache.Entry e = restarted.policyFor("example.org").orElseThrow();
        assertThat(e.id()).isEqualTo("id1");
        assertThat(e.policy().mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
        assertThat(e.policy().matches("mx.example.org")).isTrue();
    }

    @Test
    void aCachedPolicyStaysInForceWhenTheTxtRecordDisappears() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            txt.put("example.org", new StsRecord("id1"));
            PolicyCache cache = cache(server);
            cache.policyFor("example.org");
            txt.clear();
            assertThat(cache.policyFor("example.org")).get().extracting(PolicyCache.Entry::id).isEqualTo("id1");
        }
    }

    @Test
    void anExpiredPolicyIsNotUsedWhenItCannotBeRefetched() throws Exception {
        PolicyFetcher deadFetcher = cacheEnforcePolicyThenStopTheHost();
        clock.advance(Duration.ofSeconds(86401));
        PolicyCache cache = new PolicyCache(new FilePolicyStore(data.resolve("mta-sts")), deadFetcher, d -> Optional.ofNullable(txt.get(d)), clock);
        assertThat(cache.policyFor("example.org")).isEmpty();
        assertThat(cache.cached("example.org")).isPresent();
    }

    @Test
    void policiesCloseToExpiryAreRefreshedAhead() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            txt.put("example.org", new StsRecord("id1"));
            PolicyCache cache = cache(server);
            PolicyCache.Entry first = cache.policyFor("example.org").orElseThrow();
            assertThat(cache.refreshExpiring(Duration.ofHours(1))).isEmpty();
            clock.advance(Duration.ofHours(23).plusMinutes(30));
            assertThat(cache.refreshExpiring(Duration.ofHours(1))).containsExactly("example.org");
            assertThat(cache.cached("example.org").orElseThrow().expires()).isAfter(first.expires());
            assertThat(server.requests()).isEqualTo(2);
        }
    }
}
