package org.depesche.mtasts;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.depesche.mail.DomainName;

/**
 * The MTA-STS policy of each destination domain, as RFC 8461 5.1 asks a
 * sender to keep it: fetched when the TXT record first appears or its id
 * changes, valid for max_age after the fetch, and kept when the policy host
 * cannot be reached or the TXT record is missing (5.1, 10.3: an attacker who
 * blocks DNS or HTTPS must not remove a known policy). The policies are kept
 * in a {@link PolicyStore}, so a restart finds the same ones.
 *
 * <p>Fetches run in a {@link FetchPool}, never on the caller's thread, and
 * the caller waits at most the fetcher's deadline (THREATS T14). A failed
 * fetch is not tried again for the same TXT id for {@link #RETRY_AFTER}
 * (RFC 8461 3.3: limit further attempts after a failed fetch to one per five
 * minutes per version ID); meanwhile mail goes on as after that failure.
 */
public final class PolicyCache {
    private static final Logger log = LoggerFactory.getLogger(PolicyCache.class);
    /** RFC 8461 3.3: after a failed fetch, the next attempt for the same id no sooner than five minutes later. */
    public static final Duration RETRY_AFTER = Duration.ofMinutes(5);

    private final PolicyStore store;
    private final PolicyFetcher fetcher;
    private final Function<String, Optional<StsRecord>> txt;
    private final Clock clock;
    private final FetchPool fetches;
    /** The last failed fetch of each domain, until a fetch succeeds; kept in memory only. */
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    /** A cached policy with the id it was fetched under and when it expires. */
    public record Entry(String domain, String id, StsPolicy policy, Instant fetched, Instant expires) {
        public boolean validAt(Instant now) {
            return now.isBefore(expires);
        }
    }

    /** A fetch under TXT id {@code id} that failed at {@code at}. */
    private record Failure(String id, Instant at, PolicyException error) {
        /** RFC 8461 3.3; a fetch that never reached the policy host (too busy, interrupted) holds nothing back. */
        boolean holdsBack(String currentId, Instant now) {
            return id.equals(currentId) && error.reason().triedThePolicyHost() && now.isBefore(at.plus(RETRY_AFTER));
        }
    }

    /**
     * @param store   where fetched policies are kept
     * @param txt     the {@code _mta-sts} record of a domain, empty when there is none or the lookup failed
     */
    public PolicyCache(PolicyStore store, PolicyFetcher fetcher, Function<String, Optional<StsRecord>> txt, Clock clock) {
        this.store = store;
        this.fetcher = fetcher;
        this.txt = txt;
        this.clock = clock;
        this.fetches = new FetchPool(fetcher.deadline());
    }

    /**
     * The policy that applies to mail for {@code domain} now, if any: the
     * cached one while its id is current, otherwise a fresh fetch; a failed
     * fetch or a missing TXT record leaves an unexpired cached policy in force.
     * Waits at most the fetcher's deadline for a fetch. Not synchronized: the
     * TXT lookup and the fetch may take their whole timeouts, and a slow
     * domain must not hold up every other delivery (THREATS T14); overlapping
     * fetches of one domain are one fetch ({@link FetchPool}), and the
     * store serializes its writes.
     */
    public Optional<Entry> policyFor(String domain) throws IOException {
        Optional<String> normalized = normalize(domain);
        if (normalized.isEmpty()) return Optional.empty(); // RFC 8461 3.1: no TXT lookup, so no policy
        String name = normalized.get();
        Instant now = clock.instant();
        Optional<Entry> cached = cached(name).filter(e -> e.validAt(now));
        Optional<StsRecord> record = txt.apply(name);
        if (record.isEmpty()) return cached; // RFC 8461 5.1: no TXT record, keep using an unexpired policy
        if (cached.isPresent() && cached.get().id().equals(record.get().id())) return cached;
        return fetch(name, record.get().id()).or(() -> cached);
    }

    /**
     * Refetches every cached policy that is still valid but expires within
     * {@code ahead}, so that a policy host that is down for a while, or an
     * attacker who blocks it or the TXT lookup, never lets a known policy
     * lapse (RFC 8461 3.3, 10.2: refresh cached policies periodically rather
     * than only on expiry). An expired policy is left to {@link #policyFor},
     * which fetches it when mail for its domain needs it. A failed fetch
     * leaves the cached policy in force. The fetches go through the same pool
     * and deadline as those for delivery, one domain after the other, so a
     * pass ends after at most one deadline per domain. Returns the domains refreshed.
     */
    public List<String> refreshExpiring(Duration ahead) throws IOException {
        Instant now = clock.instant();
        List<String> refreshed = new ArrayList<>();
        for (Entry e : store.all()) {
            if (!e.validAt(now) || e.expires().isAfter(now.plus(ahead))) continue;
            String id = txt.apply(e.domain()).map(StsRecord::id).orElse(e.id());
            if (fetch(e.domain(), id).isPresent()) refreshed.add(e.domain());
        }
        return refreshed;
    }

    /** The stored entry for a domain, expired or not; none for a name that cannot have a policy. */
    public Optional<Entry> cached(String domain) throws IOException {
        Optional<String> name = normalize(domain);
        return name.isEmpty() ? Optional.empty() : store.get(name.get());
    }

    /**
     * Why the last fetch of {@code domain} failed, while no fetch since has
     * succeeded (for `depesche probe`); empty when none failed.
     */
    public Optional<PolicyException> lastFailure(String domain) {
        return normalize(domain).map(failures::get).map(Failure::error);
    }

    /**
     * The policy of {@code domain} from its policy host, stored under {@code id};
     * empty (and logged) when it cannot be had, and without asking the host
     * when a fetch under this id failed less than {@link #RETRY_AFTER} ago.
     */
    private Optional<Entry> fetch(String domain, String id) throws IOException {
        Failure last = failures.get(domain);
        if (last != null && last.holdsBack(id, clock.instant())) return Optional.empty();
        try {
            Entry entry = fetches.await(domain, () -> store(domain, id, fetcher.fetch(domain)));
            failures.remove(domain);
            return Optional.of(entry);
        } catch (PolicyException e) {
            failures.put(domain, new Failure(id, clock.instant(), e));
            log.warn("event=mta-sts-fetch-failed domain={} failure={} reason=\"{}\"", domain,
                    e.reason().name().toLowerCase(Locale.ROOT), e.getMessage());
            return Optional.empty();
        }
    }

    private Entry store(String domain, String id, StsPolicy policy) throws IOException {
        Instant now = clock.instant();
        Entry entry = new Entry(domain, id, policy, now, now.plusSeconds(policy.maxAge()));
        store.put(entry);
        log.info("event=mta-sts-policy domain={} id={} mode={} max_age={}", domain, id, policy.mode().label(), policy.maxAge());
        return entry;
    }

    /**
     * The {@link DomainName} key (one cache entry however the domain is
     * spelled; letters, digits and '-' only, so never another path). Empty
     * for a name that is no host name (an "_" in a label, say): such a
     * domain has no usable policy, RFC 8461 3.1 needs a host name for the TXT
     * lookup and the policy host, and its mail goes on under the other
     * policies rather than failing.
     */
    private static Optional<String> normalize(String domain) {
        return DomainName.keyIfValid(domain);
    }
}
