package org.depesche.mail;

import java.util.Locale;

/**
 * A mailbox address "local@domain" as used in SMTP paths (RFC 5321 4.1.2),
 * internationalised local parts allowed (RFC 6531). The domain is kept as its
 * {@link DomainName#key} (lower-case A-labels, however it was spelled; an
 * address literal in lower case), so two spellings of one domain are one
 * address and every comparison downstream sees one form; a domain UTS #46
 * rejects is an {@link InvalidDomainException}. The local part keeps its case
 * (RFC 5321 2.4) but lookups in the directory fold it.
 */
public record MailAddress(String localPart, String domain) {

    public MailAddress {
        if (localPart == null || localPart.isEmpty()) throw new IllegalArgumentException("empty local part");
        if (domain == null || domain.isEmpty()) throw new IllegalArgumentException("empty domain");
        // RFC 5321 4.1.3: an address literal is no name; RFC 6531 3.2 lets a U-label domain go on as A-labels.
        domain = domain.startsWith("[") ? domain.toLowerCase(Locale.ROOT) : DomainName.key(domain);
    }

    /**
     * Parses "local@domain" (no angle brackets). Quoted local parts are kept
     * with their quotes. Throws IllegalArgumentException with a short reason
     * ({@link InvalidDomainException} for the domain).
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
        return new MailAddress(local, domain);
    }

    /** True if any character is outside ASCII (needs SMTPUTF8, RFC 6531 3.4). */
    public boolean isInternational() {
        return !toString().chars().allMatch(c -> c < 0x80);
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
