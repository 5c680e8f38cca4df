package org.depesche.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Conversions between the text names of the API and dnsjava names. */
final class DnsNames {
    private DnsNames() { }

    /** Absolute name, or null when the text is not a valid domain name. */
    static Name parse(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return null;
        }
    }

    /** Lower-case text without the trailing dot ("." stays "."). */
    static String text(Name name) {
        String s = name.toString(true).toLowerCase(java.util.Locale.ROOT);
        return s.isEmpty() ? "." : s;
    }

    static String text(String name) {
        Name n = parse(name);
        return n == null ? name : text(n);
    }
}
