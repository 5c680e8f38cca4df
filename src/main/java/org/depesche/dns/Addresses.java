package org.depesche.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;

/**
 * The addresses of a host from its AAAA and A lookups, IPv6 first
 * (RFC 5321 5.1 leaves the order to the client).
 */
public record Addresses(String host, DnsResult ipv6, DnsResult ipv4) {

    public List<InetAddress> addresses() {
        List<InetAddress> all = new ArrayList<>();
        ipv6.records(AAAARecord.class).forEach(r -> all.add(r.getAddress()));
        ipv4.records(ARecord.class).forEach(r -> all.add(r.getAddress()));
        return all;
    }

    /** Secure only if both lookups are. */
    public DnssecStatus status() {
        return ipv6.status().and(ipv4.status());
    }

    /** The reason of the weaker lookup, or "". */
    public String reason() {
        DnsResult weaker = ipv6.status() == status() ? ipv6 : ipv4;
        return weaker.reason();
    }

    /** True when neither lookup failed, so an empty address list means the host has none. */
    public boolean answered() {
        return ipv6.outcome() != DnsResult.Outcome.FAILED && ipv4.outcome() != DnsResult.Outcome.FAILED;
    }
}
