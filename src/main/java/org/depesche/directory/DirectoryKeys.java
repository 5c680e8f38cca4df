package org.depesche.directory;

import java.util.Optional;

import org.depesche.mail.DomainName;
import org.depesche.mail.InvalidDomainException;
import org.depesche.mail.MailAddress;

/**
 * How every directory spells what it stores and compares: a domain as its
 * {@link DomainName} key (UTS #46, A-labels), an address with the local part
 * folded (RFC 5321 2.4 lets a host do so for its own mailboxes) and its
 * domain's key. The one place the directory normalises a name.
 */
public final class DirectoryKeys {
    private DirectoryKeys() {
    }

    /** An address as the directory keys it. */
    public static String key(MailAddress a) {
        return a.normalizedLocalPart() + "@" + a.domain();
    }

    /** A domain by its key; {@link InvalidDomainException} for a name UTS #46 rejects. */
    static String domainKey(String domain) {
        return DomainName.key(domain);
    }

    /** A domain an administrator typed, as it is stored. */
    static String domain(String domain) throws DirectoryException {
        try {
            return domainKey(domain);
        } catch (InvalidDomainException e) {
            throw new DirectoryException(e.getMessage());
        }
    }

    /** A domain found in stored content ({@code source} names where), by its key. */
    static String storedDomain(String domain, String source) throws DirectoryException {
        try {
            return domainKey(domain);
        } catch (InvalidDomainException e) {
            throw new DirectoryException(source + ": invalid domain \"" + domain + "\"");
        }
    }

    /** A domain a lookup names; empty if it cannot be a domain at all, so that it is no local one. */
    static Optional<String> lookupDomain(String domain) {
        return DomainName.keyIfValid(domain);
    }

    /** An address an administrator typed, as it is stored. */
    static String address(String address) throws DirectoryException {
        try {
            return key(MailAddress.parse(address.strip()));
        } catch (IllegalArgumentException e) {
            throw new DirectoryException("not a valid address: " + address + " (" + e.getMessage() + ")");
        }
    }

    /** An address found in stored content ({@code source} names where), as it is keyed. */
    static String storedAddress(String address, String source) throws DirectoryException {
        try {
            return key(MailAddress.parse(address));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new DirectoryException(source + ": invalid address \"" + address + "\"");
        }
    }

    /** The domain of a keyed address. */
    static String domainOf(String key) {
        return key.substring(key.lastIndexOf('@') + 1);
    }

    /** The local part of a keyed address without its subaddress ({@code user+tag}, RFC 5233). */
    static String baseOf(String local) {
        int plus = local.indexOf('+');
        return plus > 0 ? local.substring(0, plus) : local; // '+' is the subaddress separator
    }
}
