package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * What every {@link PolicyStore} must do, read back through the interface
 * alone. One subclass per implementation.
 */
abstract class PolicyStoreContractTest {
    static final Instant FETCHED = Instant.parse("2026-11-28T12:00:00Z");

    /** A store over fresh, empty storage. */
    abstract PolicyStore newStore() throws Exception;

    /** Another store over the storage of the last {@link #newStore}, as the next run opens it. */
    abstract PolicyStore reopened() throws Exception;

    static PolicyCache.Entry entry(String domain, String id, String mode, long maxAge) throws PolicyException {
        StsPolicy policy = StsPolicy.parse("version: STSv1\r\nmode: " + mode + "\r\nmx: mx." + domain + "\r\nmx: *.backup."
                + domain + "\r\nmax_age: " + maxAge + "\r\n");
        return new PolicyCache.Entry(domain, id, policy, FETCHED, FETCHED.plusSeconds(maxAge));
    }

    @Test
    void aNewStoreHoldsNothing() throws Exception {
        PolicyStore store = newStore();
        assertThat(store.get("example.org")).isEmpty();
        assertThat(store.all()).isEmpty();
    }

    @Test
    void aKeptPolicyIsReadBackByTheNextRunWithItsIdFetchTimeAndExpiry() throws Exception {
        PolicyCache.Entry e = entry("example.org", "20261128", "enforce", 86400);
        newStore().put(e);
        assertThat(reopened().get("example.org")).contains(e);
        assertThat(reopened().get("example.org").orElseThrow().expires()).isEqualTo(FETCHED.plusSeconds(86400));
    }

    @Test
    void anExpiredPolicyIsStillKept() throws Exception {
        PolicyCache.Entry e = entry("example.org", "1", "testing", 1);
        newStore().put(e);
        assertThat(reopened().get("example.org")).contains(e);
        assertThat(e.validAt(FETCHED.plusSeconds(2))).isFalse();
    }

    @Test
    void aPutReplacesTheDomainsEntryAndLeavesTheOthers() throws Exception {
        PolicyStore store = newStore();
        PolicyCache.Entry other = entry("example.com", "a", "enforce", 86400);
        store.put(entry("example.org", "id1", "enforce", 86400));
        store.put(other);
        PolicyCache.Entry newer = entry("example.org", "id2", "testing", 3600);
        store.put(newer);
        assertThat(reopened().get("example.org")).contains(newer);
        assertThat(reopened().get("example.com")).contains(other);
    }

    @Test
    void allListsEveryKeptEntry() throws Exception {
        PolicyStore store = newStore();
        List<PolicyCache.Entry> kept = List.of(entry("example.org", "1", "enforce", 86400),
                entry("xn--bcher-kva.example", "2", "testing", 600), entry("example.com", "3", "none", 86400));
        for (PolicyCache.Entry e : kept) store.put(e);
        assertThat(reopened().all()).containsExactlyInAnyOrderElementsOf(kept);
    }

    @Test
    void policiesPutAtOnceForOneDomainLeaveOneOfThemWhole() throws Exception {
        PolicyStore store = newStore();
        List<PolicyCache.Entry> candidates = new ArrayList<>();
        for (int i = 0; i < 20; i++) candidates.add(entry("example.org", "id" + i, i % 2 == 0 ? "enforce" : "testing", 600 + i));
        CountDownLatch start = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (PolicyCache.Entry e : candidates) done.add(threads.submit(() -> {
                start.await();
                store.put(e);
                return null;
            }));
            start.countDown();
            for (Future<?> f : done) f.get();
        }
        assertThat(reopened().get("example.org")).get().isIn(candidates);
        assertThat(reopened().all()).hasSize(1);
    }
}
