package org.depesche.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the address of a DNS server as [dns] servers lists it: an IP literal, never a name to look up. */
public final class DnsServerAddress {
    private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::(\\d{1,5}))?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?");
    private static final Pattern BARE_IPV6 = Pattern.compile("([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)()");

    private DnsServerAddress() { }

    /** "192.0.2.1", "127.0.0.1:5353", "[::1]:53" or "::1"; port 53 by default. */
    public static InetSocketAddress parse(String text) {
        String s = text.strip();
        Matcher m = BRACKETED_IPV6.matcher(s);
        if (!m.matches()) m = IPV4.matcher(s);
        if (!m.matches()) m = BARE_IPV6.matcher(s);
        if (!m.matches()) throw bad(text);
        if (m.pattern() == IPV4) {
            for (String octet : m.group(1).split("\\.")) {
                if (Integer.parseInt(octet) > 255) throw bad(text); // else the JDK would look it up as a name
            }
        }
        try {
            int port = m.group(2) == null || m.group(2).isEmpty() ? 53 : Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) throw bad(text);
            return new InetSocketAddress(InetAddress.getByName(m.group(1)), port);
        } catch (UnknownHostException e) {
            throw bad(text);
        }
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("DNS server '" + text + "' is not an IP address with an optional port, "
                + "like \"192.0.2.53\", \"127.0.0.1:5353\" or \"[::1]:53\"");
    }
}
