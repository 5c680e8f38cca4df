package org.depesche.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.depesche.config.Config;
import org.depesche.config.DnsServerAddress;

/** Builds the resolver from the [dns] section of the config, or from parts in tests. */
public final class DnsResolvers {
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private DnsResolvers() { }

    /** Validates in process from the given trust anchors (zone file text of DS or DNSKEY records). */
    public static CachingDnsResolver validating(List<InetSocketAddress> servers, String trustAnchors,
                                                DnsLimits limits, Clock clock) {
        return new CachingDnsResolver(new ValidatingUpstream(servers, trustAnchors, limits, clock), limits, clock);
    }

    /** Trusts the AD bit of the given resolvers, which must all be on loopback addresses. */
    public static CachingDnsResolver trustAd(List<InetSocketAddress> servers, DnsLimits limits, Clock clock) {
        return new CachingDnsResolver(new TrustAdUpstream(servers, limits), limits, clock);
    }

    /** The resolver a [dns] section describes; a bad setting is an IllegalArgumentException with one clear line. */
    public static CachingDnsResolver fromConfig(Config.Dns dns, Clock clock) {
        List<InetSocketAddress> servers = dns.servers().isEmpty() ? resolvConfServers(RESOLV_CONF)
                : dns.servers().stream().map(DnsResolvers::parseServer).toList();
        DnsLimits limits = DnsLimits.defaults().withQueryTimeout(dns.timeout());
        if (Config.Dns.TRUST_AD.equals(dns.mode())) return trustAd(servers, limits, clock);
        String anchors = dns.trustAnchor() == null ? TrustAnchors.IANA_ROOT : TrustAnchors.read(dns.trustAnchor());
        return validating(servers, anchors, limits, clock);
    }

    /** See {@link DnsServerAddress#parse(String)}. */
    public static InetSocketAddress parseServer(String text) {
        return DnsServerAddress.parse(text);
    }

    /** The nameserver lines of a resolv.conf file; none if it cannot be read. */
    public static List<InetSocketAddress> resolvConfServers(Path file) {
        List<InetSocketAddress> servers = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] words = line.strip().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver")) {
                    try {
                        servers.add(parseServer(words[1].replaceFirst("%.*$", "")));
                    } catch (IllegalArgumentException ignored) {
                        // a scoped or malformed entry: the other lines may still serve
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return servers;
    }
}
