package org.depesche.mail;

import java.util.Optional;

/**
 * A domain name as a value: however it was spelled (upper case, U-labels,
 * fullwidth letters, an alternative dot, a trailing dot), it holds its one
 * {@link DomainName#key}, lower-case A-labels without the trailing dot, so
 * two {@code Domain}s are equal exactly when they name one domain. A name
 * UTS #46 rejects is never a {@code Domain}.
 *
 * <p>{@link DomainName} is the engine (UTS #46 processing on strings, for
 * the many places that keep a domain as a string key: directory, policy
 * files, caches); {@code Domain} is what code holds when it compares
 * domains as values.
 *
 * @param asciiName the key, the form DNS and A-label comparisons use
 */
public record Domain(String asciiName) {

    /** Normalises the name; {@link InvalidDomainException} for a name UTS #46 rejects. */
    public Domain {
        asciiName = DomainName.key(asciiName);
    }

    /** The domain however spelled; {@link InvalidDomainException} for a name that is none. */
    public static Domain of(String spelled) {
        return new Domain(spelled);
    }

    /** The domain, or empty for a name UTS #46 rejects (a DNS name with '_', say): for names from outside that may be none. */
    public static Optional<Domain> ifValid(String spelled) {
        return DomainName.keyIfValid(spelled).map(Domain::new);
    }

    /** The A-label form, so that a domain in a message or log line reads as it did when it was a string. */
    @Override
    public String toString() {
        return asciiName;
    }
}
