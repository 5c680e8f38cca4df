package org.depesche.mail;

/**
 * A name that UTS #46 processing rejects ({@link DomainName#key}): the typed
 * failure a caller turns into its own answer (a 501 5.1.3 reply at RCPT, one
 * line and exit 2 in the configuration). {@link #reason} says what is wrong
 * in words without the name, for answers that should not echo it.
 */
public final class InvalidDomainException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    InvalidDomainException(String name, String reason) {
        super("not a valid domain name: " + name + " (" + reason + ")");
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
