package org.depesche.dns;

import java.util.Comparator;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Looks names up and says how far each answer can be trusted. Never throws
 * for DNS trouble: a timeout, a SERVFAIL or a forged answer comes back as a
 * {@link DnsResult} with outcome FAILED or status BOGUS/INDETERMINATE and a
 * reason a person can read.
 */
public interface DnsResolver {

    /** One lookup of an RRset; name may or may not end in a dot. */
    DnsResult lookup(String name, int type);

    /** MX records sorted by preference, lowest first (RFC 5321 5.1). */
    default DnsResult mx(String domain) {
        return lookup(domain, Type.MX).sorted(Comparator.comparingInt((Record r) -> ((MXRecord) r).getPriority())
                .thenComparing(r -> r.getName().toString()));
    }

    /** AAAA and A records of a host, looked up at the same time. */
    default Addresses addresses(String host) {
        var ipv6 = java.util.concurrent.CompletableFuture.supplyAsync(() -> lookup(host, Type.AAAA),
                Thread.ofVirtual()::start);
        DnsResult ipv4 = lookup(host, Type.A);
        return new Addresses(DnsNames.text(host), ipv6.join(), ipv4);
    }

    /** TLSA records for a TCP service at {@code _port._tcp.host} (RFC 6698 3, RFC 7672 2.2). */
    default DnsResult tlsa(int port, String host) {
        return lookup("_" + port + "._tcp." + DnsNames.text(host), Type.TLSA);
    }
}
