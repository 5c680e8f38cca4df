package org.depesche.config;

/**
 * A listen address "host:port" or "[v6]:port" from the configuration. An
 * empty string in the file disables the listener (represented as null
 * where a HostPort is optional).
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    /** Parses "127.0.0.1:25", "[::1]:25", ":25" (all addresses). */
    public static HostPort parse(String s) {
        s = s.strip();
        int colon = s.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("expected host:port, got \"" + s + "\"");
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port is not a number in \"" + s + "\"");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range in \"" + s + "\"");
        return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
