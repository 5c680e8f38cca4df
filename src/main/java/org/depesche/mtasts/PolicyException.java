package org.depesche.mtasts;

/** A policy that could not be fetched or does not follow RFC 8461 3.2; the message says why in words. */
public final class PolicyException extends Exception {
    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
