package org.depesche.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private record Cached(DnsResult result, Instant expires) { }

    CachingDnsResolver(Upstream upstream, DnsLimits limits, Clock clock) {
        this.upstream = upstream;
        this.clock = clock;
        int max = limits.cacheEntries();
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
        DnsResult cached = cached(key);
        if (cached != null) return cached;
        Answer answer = upstream.query(qname, type);
        DnsResult result = withLinkStatuses(answer.result());
        if (answer.ttl().isPositive()) {
            synchronized (cache) {
                cache.put(key, new Cached(result, clock.instant().plus(answer.ttl())));
            }
        }
        return result;
    }

    private DnsResult cached(String key) {
        synchronized (cache) {
            Cached e = cache.get(key);
            if (e == null) return null;
            if (!e.expires().isAfter(clock.instant())) {
                cache.remove(key);
                return null;
            }
            return e.result();
        }
    }

    /**
     * The validator gives one status for a whole CNAME chain; when it is not
     * secure, each link is looked up on its own so the caller can tell which
     * links are (RFC 7672 2.2.3).
     */
    private DnsResult withLinkStatuses(DnsResult r) {
        if (r.cnameChain().isEmpty() || r.status() == DnssecStatus.SECURE) return r;
        List<DnsResult.CnameLink> links = new ArrayList<>();
        for (DnsResult.CnameLink link : r.cnameChain()) {
            DnssecStatus own = lookup(link.owner(), Type.CNAME).status();
            links.add(new DnsResult.CnameLink(link.owner(), link.target(), own));
        }
        return new DnsResult(r.qname(), r.type(), r.outcome(), r.records(), links, r.status(), r.reason());
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
