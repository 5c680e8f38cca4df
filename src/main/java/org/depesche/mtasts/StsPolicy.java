package org.depesche.mtasts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.depesche.mail.DomainName;

/**
 * A parsed MTA-STS policy (RFC 8461 3.2).
 *
 * @param mode   enforce, testing or none
 * @param mx     the MX patterns, lower case; "*.example.net" matches one left-most label
 * @param maxAge seconds the policy may be cached, at most 31557600
 */
public record StsPolicy(Mode mode, List<String> mx, long maxAge) {
    /** RFC 8461 3.2: max_age is at most 31557600 (about one year). */
    public static final long MAX_AGE_LIMIT = 31_557_600L;

    public enum Mode {
        ENFORCE, TESTING, NONE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public StsPolicy {
        mx = List.copyOf(mx);
        if (maxAge < 0 || maxAge > MAX_AGE_LIMIT) throw new IllegalArgumentException("max_age out of range: " + maxAge);
    }

    /**
     * Parses a policy body. Lines end in CRLF or LF; unknown keys are ignored
     * (3.2 "extension" fields); version, mode and max_age are required, and
     * mx is required unless the mode is none.
     */
    public static StsPolicy parse(String text) throws PolicyException {
        String version = null, mode = null, maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) throw new PolicyException("policy line without a key: \"" + printable(line) + "\"");
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "version" -> version = once(version, key, value);
                case "mode" -> mode = once(mode, key, value);
                case "max_age" -> maxAge = once(maxAge, key, value);
                case "mx" -> mx.add(pattern(value));
                default -> { } // RFC 8461 3.2: unknown fields are ignored
            }
        }
        if (!"STSv1".equals(version)) throw new PolicyException(version == null ? "policy has no version" : "unknown policy version " + printable(version));
        if (mode == null) throw new PolicyException("policy has no mode");
        Mode m = switch (mode) {
            case "enforce" -> Mode.ENFORCE;
            case "testing" -> Mode.TESTING;
            case "none" -> Mode.NONE;
            default -> throw new PolicyException("unknown policy mode " + printable(mode));
        };
        if (maxAge == null) throw new PolicyException("policy has no max_age");
        if (!maxAge.matches("[0-9]{1,10}") || Long.parseLong(maxAge) > MAX_AGE_LIMIT)
            throw new PolicyException("max_age must be 0 to " + MAX_AGE_LIMIT + " seconds, not " + printable(maxAge));
        if (mx.isEmpty() && m != Mode.NONE) throw new PolicyException("policy in mode " + m.label() + " lists no mx");
        return new StsPolicy(m, mx, Long.parseLong(maxAge));
    }

    /** The policy file as this server would publish it, lines ending in CRLF (3.2). */
    public String toText() {
        StringBuilder b = new StringBuilder("version: STSv1\r\nmode: ").append(mode.label()).append("\r\n");
        for (String p : mx) b.append("mx: ").append(p).append("\r\n");
        return b.append("max_age: ").append(maxAge).append("\r\n").toString();
    }

    /**
     * RFC 8461 4.1: does an MX host name match one of the patterns? A leading
     * "*." matches exactly one left-most label ("*.example.com" matches
     * "mx.example.com", not "example.com" nor "a.b.example.com").
     */
    public boolean matches(String mxHost) {
        String host = DomainName.hostKey(mxHost); // the patterns are ASCII lower case (see pattern), which is their key
        for (String p : mx) {
            if (p.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot + 1).equals(p.substring(2))) return true;
            } else if (host.equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static String once(String old, String key, String value) throws PolicyException {
        if (old != null) throw new PolicyException("policy has " + key + " twice");
        return value;
    }

    private static String pattern(String value) throws PolicyException {
        String p = value.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) p = p.substring(0, p.length() - 1);
        String rest = p.startsWith("*.") ? p.substring(2) : p;
        if (!rest.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"))
            throw new PolicyException("not an mx pattern: \"" + printable(value) + "\"");
        return p;
    }

    /** A policy host's text in an error: its beginning, made printable like all peer text. */
    private static String printable(String s) {
        return org.depesche.smtp.Printable.printable(s.length() > 80 ? s.substring(0, 80) + "..." : s);
    }
}
