package org.depesche.smtp;

import java.util.Locale;

/**
 * A mailbox address "local@domain" as used in SMTP paths (RFC 5321 4.1.2),
 * internationalised local parts allowed (RFC 6531). The domain is kept in
 * lower case; the local part keeps its case (RFC 5321 2.4) but lookups in the
 * directory fold it.
 */
public record MailAddress(String localPart, String domain) {

    public MailAddress {
        if (localPart == null || localPart.isEmpty()) throw new IllegalArgumentException("empty local part");
        if (domain == null || domain.isEmpty()) throw new IllegalArgumentException("empty domain");
        domain = domain.toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) domain = domain.substring(0, domain.length() - 1);
    }

    /**
     * Parses "local@domain" (no angle brackets). Quoted local parts are kept
     * with their quotes. Throws IllegalArgumentException with a short reason.
     */
    public static MailAddress parse(String address) {
        if (address == null) throw new IllegalArgumentException("no address");
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) throw new IllegalArgumentException("not local@domain: " + address);
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (local.length() > 64) throw new IllegalArgumentException("local part longer than 64 octets"); // RFC 5321 4.5.3.1.1
        if (domain.length() > 255) throw new IllegalArgumentException("domain longer than 255 octets"); // RFC 5321 4.5.3.1.2
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>') throw new IllegalArgumentException("invalid character in address");
        }
        if (!local.startsWith("\"")) {
            if (local.startsWith(".") || local.endsWith(".") || local.contains("..") || local.indexOf('@') >= 0)
                throw new IllegalArgumentException("invalid local part");
        }
        if (!domain.startsWith("[") && (domain.startsWith(".") || domain.contains("..") || domain.startsWith("-")))
            throw new IllegalArgumentException("invalid domain");
        return new MailAddress(local, domain);
    }

    /** True if any character is outside ASCII (needs SMTPUTF8, RFC 6531 3.4). */
    public boolean isInternational() {
        return !toString().chars().allMatch(c -> c < 0x80);
    }

    /**
     * A domain in lower-case A-labels (RFC 5890 2.3.2.1): the one form DNS
     * knows and the one key for a domain that an SMTPUTF8 recipient may spell
     * in U-labels (RFC 6531 3.2); a name IDNA rejects is returned as given.
     */
    public static String aLabel(String domain) {
        try {
            return java.net.IDN.toASCII(domain, java.net.IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return domain.toLowerCase(Locale.ROOT);
        }
    }

    /** The local part folded to lower case, as the directory compares it. */
    public String normalizedLocalPart() {
        return localPart.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
