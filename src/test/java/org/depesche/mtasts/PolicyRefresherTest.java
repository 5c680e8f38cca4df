package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.SettableClock;
import org.depesche.testsupport.TestPki;

/** Refresh-ahead of cached MTA-STS policies (RFC 8461 3.3, 10.2) against a real HTTPS policy host. */
class PolicyRefresherTest {
    static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n";
    static final String MOVED = "version: STSv1\r\nmode: enforce\r\nmx: mx2.example.org\r\nmax_age: 86400\r\n";
    static TestPki.Identity ca;
    static SSLContext trust;

    @TempDir
    Path data;
    final SettableClock clock = new SettableClock();
    final Map<String, StsRecord> txt = new ConcurrentHashMap<>(Map.of("example.org", new StsRecord("id1")));

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca("Test MTA-STS CA");
        trust = PolicyServer.clientTrusting(ca);
    }

    private PolicyCache cache(PolicyFetcher fetcher) {
        return new PolicyCache(new FilePolicyStore(data.resolve("mta-sts")), fetcher, d -> Optional.ofNullable(txt.get(d)), clock);
    }

    @Test
    void aCachedPolicyNearExpiryIsRefreshedOnScheduleFromThePolicyHost() throws Exception {
        try (PolicyServer host = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            PolicyCache cache = cache(host.fetcher(trust));
            PolicyCache.Entry first = cache.policyFor("example.org").orElseThrow();
            host.serve(MOVED);
            clock.advance(Duration.ofHours(23));
            try (PolicyRefresher refresher = new PolicyRefresher(cache, Duration.ofMillis(20), Duration.ofDays(1))) {
                refresher.start();
                // Waits for the refreshed policy to be stored, not for the request: closing the refresher while
                // the response is still on its way interrupts that refresh. Bounded; the assertions below still decide.
                for (int i = 0; i < 1500 && !movedIsCached(cache); i++) Thread.sleep(20);
            }
            PolicyCache.Entry refreshed = cache.cached("example.org").orElseThrow();
            assertThat(refreshed.policy().matches("mx2.example.org")).isTrue();
            assertThat(refreshed.expires()).isEqualTo(first.expires().plus(Duration.ofHours(23)));
            assertThat(cache.policyFor("example.org").orElseThrow().policy().matches("mx.example.org")).isFalse();
        }
    }

    private static boolean movedIsCached(PolicyCache cache) throws IOException {
        return cache.cached("example.org").map(e -> e.policy().matches("mx2.example.org")).orElse(false);
    }

    @Test
    void anUnreachablePolicyHostLeavesTheCachedPolicyInForce() throws Exception {
        PolicyFetcher dead;
        try (PolicyServer host = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            dead = host.fetcher(trust);
            cache(dead).policyFor("example.org");
        }
        clock.advance(Duration.ofHours(23));
        PolicyCache cache = cache(dead);
        new PolicyRefresher(cache, Duration.ofHours(1), Duration.ofDays(1)).runOnce(); // logs the failure, throws nothing
        PolicyCache.Entry e = cache.policyFor("example.org").orElseThrow();
        assertThat(e.policy().mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
        assertThat(e.policy().matches("mx.example.org")).isTrue();
        assertThat(e.fetched()).isEqualTo(clock.instant().minus(Duration.ofHours(23)));
    }

    /** THREATS T14: a refresh pass whose policy host stalls after the headers ends at the fetch deadline. */
    @Test
    void aRefreshWhosePolicyHostStallsEndsAtTheDeadlineAndTheCachedPolicyStays() throws Exception {
        Duration deadline = Duration.ofSeconds(2);
        try (PolicyServer host = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            PolicyCache cache = cache(host.fetcher(trust, deadline));
            cache.policyFor("example.org");
            host.stallAfterHeaders(MOVED);
            clock.advance(Duration.ofHours(23));
            PolicyRefresher refresher = new PolicyRefresher(cache, Duration.ofHours(1), Duration.ofDays(1));
            java.util.concurrent.CompletableFuture.runAsync(refresher::runOnce)
                    .get(deadline.plusSeconds(8).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(host.requests()).isEqualTo(2);
            assertThat(cache.policyFor("example.org").orElseThrow().policy().matches("mx.example.org")).isTrue();
        }
    }

    @Test
    void policiesFarFromExpiryAndExpiredOnesAreNotFetchedInTheBackground() throws Exception {
        try (PolicyServer host = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(ENFORCE)) {
            PolicyCache cache = cache(host.fetcher(trust));
            cache.policyFor("example.org");
            PolicyRefresher refresher = new PolicyRefresher(cache, Duration.ofHours(1), Duration.ofHours(12));
            refresher.runOnce();
            assertThat(host.requests()).isEqualTo(1);
            clock.advance(Duration.ofDays(2)); // expired: fetched again only when mail for example.org needs it
            refresher.runOnce();
            assertThat(host.requests()).isEqualTo(1);
        }
    }
}
