package org.depesche.outbound;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.depesche.dns.DnsResolver;
import org.depesche.dns.DnsResult;
import org.depesche.dns.DnssecStatus;
import org.depesche.mail.DomainName;
import org.xbill.DNS.MXRecord;

/** The MX hosts of a domain in the order to try them (RFC 5321 5.1, RFC 7505). */
final class MxLookup {
    private final DnsResolver dns;
    private final Random random;
    private final Set<String> ownNames;

    MxLookup(DnsResolver dns, Random random) {
        this(dns, random, Set.of());
    }

    /** {@code ownNames}: the host names of this server, which must not deliver to itself (RFC 5321 5.1). */
    MxLookup(DnsResolver dns, Random random, Set<String> ownNames) {
        this.dns = dns;
        this.random = random;
        Set<String> own = new java.util.HashSet<>();
        for (String n : ownNames) if (!n.isBlank()) own.add(name(n));
        this.ownNames = Set.copyOf(own);
    }

    Route route(String domain) {
        DnsResult mx = dns.mx(domain);
        String status = mx.status().name().toLowerCase(Locale.ROOT);
        String why = mx.reason().isEmpty() ? "" : ": " + mx.reason();
        // THREATS T3: a bogus answer may name the attacker's host; never connect to it.
        if (mx.status() == DnssecStatus.BOGUS)
            return new Route.Unroutable(false, "4.4.3", "the MX records of " + domain + " failed DNSSEC validation"
                    + why + "; not delivering to hosts that may be forged");
        if (mx.outcome() == DnsResult.Outcome.FAILED || mx.status() == DnssecStatus.INDETERMINATE)
            return new Route.Unroutable(false, "4.4.3", "the MX lookup for " + domain + " failed (" + status + why + ")");
        return switch (mx.outcome()) {
            case NXDOMAIN -> new Route.Unroutable(true, "5.1.2", "the domain " + domain + " does not exist (NXDOMAIN)");
            // RFC 5321 5.1: no MX records: the domain itself is the implicit MX.
            case NODATA -> ownNames.contains(name(domain)) ? loop(domain, name(domain))
                    : new Route.Hosts(List.of(new MxHost(name(domain), 0, mx.isSecure())), true);
            default -> hosts(domain, mx);
        };
    }

    private Route hosts(String domain, DnsResult mx) {
        List<MXRecord> records = mx.records(MXRecord.class);
        List<MXRecord> real = records.stream().filter(r -> !isRoot(r)).toList();
        // RFC 7505 3: a null MX ("0 .") says the domain accepts no mail.
        if (real.isEmpty()) {
            if (records.isEmpty())
                return new Route.Unroutable(false, "4.4.3", "the MX lookup for " + domain + " returned no usable records");
            return new Route.Unroutable(true, "5.1.10", "the domain " + domain
                    + " accepts no mail: it publishes a null MX record (RFC 7505)");
        }
        Map<Integer, List<MxHost>> byPreference = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (MXRecord r : real) { // already sorted by preference
            String host = name(r.getTarget().toString());
            // RFC 5321 5.1: this server and every MX of equal or higher preference value are dropped.
            if (ownNames.contains(host)) {
                byPreference.remove(r.getPriority());
                if (byPreference.isEmpty()) return loop(domain, host);
                break;
            }
            if (!seen.add(host)) continue;
            byPreference.computeIfAbsent(r.getPriority(), p -> new ArrayList<>())
                    .add(new MxHost(host, r.getPriority(), mx.isSecure()));
        }
        List<MxHost> ordered = new ArrayList<>();
        for (List<MxHost> same : byPreference.values()) {
            Collections.shuffle(same, random); // RFC 5321 5.1: spread load over equal preferences
            ordered.addAll(same);
        }
        return new Route.Hosts(ordered, false);
    }

    /** RFC 3463 X.4.6 routing loop: mail for the domain would come back here. */
    private static Route loop(String domain, String host) {
        return new Route.Unroutable(true, "5.4.6", "mail for " + domain + " loops back to myself: its MX host "
                + host + " is this server, and no MX host is preferred to it");
    }

    /**
     * The host key: a U-label own name then meets the A-labels of an MX
     * record, and a DNS name that is no IDNA domain still compares in lower
     * case without the trailing dot.
     */
    static String name(String n) {
        return DomainName.hostKey(n);
    }

    private static boolean isRoot(MXRecord r) {
        return r.getTarget().equals(org.xbill.DNS.Name.root);
    }
}
