package org.depesche.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.depesche.config.Config;

/** Builds the resolver from the [dns] section of the config, or from parts in tests. */
public final class DnsResolvers {
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final Pattern IPV6_WITH_PORT = Pattern.compile("\\[([0-9A-Fa-f:.%a-zA-Z]+)](?::(\\d+))?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d+))?");

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

    /** "ip", "ip:port", "[v6]" or "[v6]:port", or a bare IPv6 address; port 53 by default. No name lookups. */
    public static InetSocketAddress parseServer(String text) {
        String s = text.strip();
        String host;
        String port = null;
        Matcher m;
        if ((m = IPV6_WITH_PORT.matcher(s)).matches() || (m = IPV4.matcher(s)).matches()) {
            host = m.group(1);
            port = m.group(2);
        } else if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+")) {
            host = s;
        } else {
            throw new IllegalArgumentException("DNS server \"" + text + "\" is not an IP address with an optional port");
        }
        try {
            int p = port == null ? 53 : Integer.parseInt(port);
            if (p < 1 || p > 65535) throw new IllegalArgumentException("DNS server \"" + text + "\": bad port");
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("DNS server \"" + text + "\" is not an IP address with an optional port");
        }
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
