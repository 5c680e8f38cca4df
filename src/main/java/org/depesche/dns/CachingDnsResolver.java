package org.depesche.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The resolver the server uses: answers from a bounded cache while their TTL
 * lasts (RFC 1035 7.4, negative answers per RFC 2308 5, each with its DNSSEC
 * status), and from the upstream otherwise. Built by {@link DnsResolvers}.
 */
public final class CachingDnsResolver implements DnsResolver, AutoCloseable {
    private final Upstream upstream;
    private final Clock clock;
    private final Map<String, Cached> cache;
    private final Map<String, CompletableFuture<DnsResult>> inFlight = new HashMap<>();

    private record Cached(DnsResult result, Instant expires) { }

    CachingDnsResolver(Upstream upstream, DnsLimits limits, Clock clock) {
        this.upstream = upstream;
        this.clock = clock;
        int max = limits.cache().entries();
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > max;
            }
        };
    }

    @Override
    public DnsResult lookup(String name, int type) {
        Name qname = DnsNames.parse(name);
        if (qname == null) {
            return DnsResult.failed(name, type, DnssecStatus.INDETERMINATE, "not a valid domain name: " + name);
        }
        String key = DnsNames.text(qname) + "/" + type;
        CompletableFuture<DnsResult> mine = new CompletableFuture<>();
        CompletableFuture<DnsResult> pending;
        synchronized (cache) {
            DnsResult cached = cached(key);
            if (cached != null) return cached;
            // the same name asked by many deliveries at once goes upstream once
            pending = inFlight.putIfAbsent(key, mine);
        }
        if (pending != null) return pending.join();
        DnsResult result = null;
        try {
            Answer answer = upstream.query(qname, type);
            result = withLinkStatuses(answer.result());
            synchronized (cache) {
                if (answer.ttl().isPositive()) cache.put(key, new Cached(result, clock.instant().plus(answer.ttl())));
                inFlight.remove(key);
            }
            return result;
        } finally {
            if (result == null) {
                synchronized (cache) {
                    inFlight.remove(key);
                }
                result = DnsResult.failed(DnsNames.text(qname), type, DnssecStatus.INDETERMINATE, "lookup failed");
            }
            mine.complete(result);
        }
    }

    /** Call with the cache's lock held. */
    private DnsResult cached(String key) {
        Cached e = cache.get(key);
        if (e == null) return null;
        if (!e.expires().isAfter(clock.instant())) {
            cache.remove(key);
            return null;
        }
        return e.result();
    }

    /**
     * The validator gives one status for a whole CNAME chain; when it is not
     * secure, each link is looked up on its own so the caller can tell which
     * links are (RFC 7672 2.2.3). A link that does not stand on its own (a
     * failed lookup, another target) makes the whole answer fail with it:
     * the two answers disagree, and neither is believed.
     */
    private DnsResult withLinkStatuses(DnsResult r) {
        if (r.cnameChain().isEmpty() || r.status() == DnssecStatus.SECURE) return r;
        List<DnsResult.CnameLink> links = new ArrayList<>();
        for (DnsResult.CnameLink link : r.cnameChain()) {
            DnsResult own = lookup(link.owner(), Type.CNAME);
            boolean sameTarget = own.records().stream().anyMatch(c -> c instanceof org.xbill.DNS.CNAMERecord cn
                    && DnsNames.text(cn.getTarget()).equals(link.target()));
            if (own.outcome() == DnsResult.Outcome.FAILED || !sameTarget) {
                DnssecStatus worse = own.status() == DnssecStatus.BOGUS ? DnssecStatus.BOGUS : DnssecStatus.INDETERMINATE;
                return DnsResult.failed(r.qname(), r.type(), worse, "the CNAME " + link.owner() + " -> " + link.target()
                        + " does not hold on its own (" + own + ")");
            }
            links.add(new DnsResult.CnameLink(link.owner(), link.target(), own.status()));
        }
        return new DnsResult(r.qname(), r.type(), r.outcome(), r.records(), links, r.status(), r.reason(),
                r.unsignedCut());
    }

    /** Answers held at the moment, expired ones included until they are asked for. */
    public int cachedAnswers() {
        synchronized (cache) {
            return cache.size();
        }
    }

    @Override
    public void close() {
        upstream.close();
    }
}
