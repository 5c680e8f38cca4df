package org.depesche.outbound;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.depesche.dns.Addresses;
import org.depesche.dns.DnsResolver;
import org.depesche.dns.DnsResult;
import org.depesche.dns.DnssecStatus;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.TransportDemand;

/**
 * The DNS facts about one MX host that the policy engine decides on: whether
 * its addresses can be used at all and, under DANE or for a message that
 * must reach an authenticated server, its TLSA records. Shared
 * by delivery ({@link RemoteCourier}) and {@link Probe}, so that a probe
 * reports what a delivery would do.
 */
final class HostFacts {
    private final DnsResolver dns;
    private final int port;

    HostFacts(DnsResolver dns, int port) {
        this.dns = dns;
        this.port = port;
    }

    /**
     * The host's addresses, with issue 8's second guard: a denial that
     * claims to come from unsigned DNS, where the unsigned space it names
     * begins at or above a name whose answer validated in this same lookup
     * chain (the recipient domain's MX RRset, the other half of A/AAAA), is
     * not believed: both cannot be true, so one was forged. The lookup
     * counts as failed (RFC 4035 4.3: indeterminate) and the host waits. An
     * unsigned zone below the validated name (an MX host in an unsigned
     * child zone of a signed domain) is no contradiction.
     */
    Addresses addresses(DomainPolicy p, MxHost mx) {
        Addresses found = dns.addresses(mx.name());
        String validatedDomain = mx.secure() && isAtOrBelow(mx.name(), p.domain()) ? p.domain() : null;
        return new Addresses(found.host(),
                guarded(guarded(found.ipv6(), validatedDomain), found.ipv4().isSecure() ? mx.name() : null),
                guarded(guarded(found.ipv4(), validatedDomain), found.ipv6().isSecure() ? mx.name() : null));
    }

    /** The denial {@code r}, unless it claims unsigned space at or above {@code validated} (null: nothing validated). */
    private static DnsResult guarded(DnsResult r, String validated) {
        if (validated == null || !r.isInsecureDenial() || r.unsignedCut().isEmpty()
                || !isAtOrBelow(validated, r.unsignedCut())) return r;
        return r.asIndeterminate("the denial of " + r.qname() + " claims that " + r.unsignedCut()
                + " is unsigned, although the answer for " + validated + " validated; not believed");
    }

    private static boolean isAtOrBelow(String name, String domain) {
        return name.equals(domain) || name.endsWith("." + domain);
    }

    /** Why a host's addresses cannot be used, or null if they can. */
    static String unusable(DomainPolicy p, MxHost mx, Addresses addresses) {
        // A failed half (say AAAA timing out) must not turn a DANE host into an unauthenticated one, nor
        // make a message that demands an authenticated server bounce on a PKIX check in place of DANE:
        // a DNS failure is transient, the message waits (RFC 7672 2.1, RFC 8689 4.2.1).
        boolean incomplete = !addresses.answered()
                && (p.usesDane() || authenticating(p.demand()) || addresses.addresses().isEmpty());
        if (addresses.status() == DnssecStatus.BOGUS || incomplete) {
            return "the address lookup for " + mx.name() + " failed (" + addresses.status().name().toLowerCase(Locale.ROOT)
                    + (addresses.reason().isEmpty() ? "" : ": " + addresses.reason()) + ")";
        }
        return addresses.addresses().isEmpty() ? mx.name() + " has no IPv6 or IPv4 address" : null;
    }

    /**
     * RFC 7672 2.2: DNSSEC facts for the MX host, and the TLSA records when
     * they may be used. The DANE-TA reference names (RFC 7672 3.2.2) are the
     * TLSA base domain, the MX host name and, the MX RRset being secure, the
     * next-hop domain.
     */
    PolicyEngine.MxFacts facts(DomainPolicy p, MxHost mx, Addresses addresses) {
        boolean secure = mx.secure() && addresses.status() == DnssecStatus.SECURE;
        if (!(p.usesDane() || authenticating(p.demand())) || !secure)
            return new PolicyEngine.MxFacts(mx.name(), secure, null, Set.of(mx.name()), mx.secure());
        String canonical = MxLookup.name(addresses.ipv4().records().isEmpty()
                ? addresses.ipv6().canonicalName() : addresses.ipv4().canonicalName());
        String nextHop = p.domain();
        if (!canonical.equals(mx.name())) {
            // RFC 7672 2.2.3: first the TLSA records of the expanded name, then those of the original one;
            // the expanded name is then the TLSA base domain, which goes first as the SNI name (RFC 7672 8.1).
            DnsResult expanded = tlsa(canonical);
            if (!deniedSecurely(expanded))
                return new PolicyEngine.MxFacts(mx.name(), true, expanded,
                        new LinkedHashSet<>(List.of(canonical, mx.name(), nextHop)), true);
        }
        return new PolicyEngine.MxFacts(mx.name(), true, tlsa(mx.name()),
                new LinkedHashSet<>(List.of(mx.name(), nextHop)), true);
    }

    /** The TLSA lookup under a host whose addresses validated: a denial claiming the host unsigned is not believed (second guard). */
    private DnsResult tlsa(String host) {
        return guarded(dns.tlsa(port, host), host);
    }

    /** A message that must reach an authenticated server uses DANE wherever the domain publishes it. */
    private static boolean authenticating(TransportDemand d) {
        return d.needs().authenticated();
    }

    private static boolean deniedSecurely(DnsResult r) {
        return r.isSecure() && (r.outcome() == DnsResult.Outcome.NXDOMAIN || r.outcome() == DnsResult.Outcome.NODATA);
    }
}
