package org.depesche.mtasts;

import java.util.Optional;

import org.depesche.transport.TlsFailure;

/**
 * A policy that could not be fetched or does not follow RFC 8461 3.2. The
 * {@link #reason()} says what kind of failure it was, for code to decide on;
 * the message says why in words, for the log and `depesche probe`.
 */
public final class PolicyException extends Exception {
    /** What went wrong; every kind is, for delivery, a fetch that failed (RFC 8461 3.3, 5.1). */
    public enum Reason {
        /** The policy body breaks the grammar of RFC 8461 3.2. */
        INVALID,
        /** Connection refused, reset or closed early, name not found. */
        UNREACHABLE,
        /** The policy host's certificate is not valid for its name under the trusted CAs (RFC 8461 3.3). */
        CERTIFICATE,
        /** An answer RFC 8461 3.3 does not accept: a status other than 200, a type other than text/plain, too large. */
        REFUSED,
        /** The whole fetch, connect to the last byte of the body, did not finish within its deadline (THREATS T14). */
        DEADLINE,
        /** Too many fetches in progress or waiting already: this one was not started (THREATS T14). */
        BUSY,
        /** The thread that waited for the policy was interrupted (the server is stopping). */
        INTERRUPTED;

        /**
         * The RFC 8460 4.3.2.2 result type of a fetch that failed this way;
         * empty for the kinds that never reached the policy host (they are
         * this side's, not the domain's, to report).
         */
        public Optional<TlsFailure> tlsFailure() {
            return switch (this) {
                case INVALID -> Optional.of(TlsFailure.STS_POLICY_INVALID);
                case CERTIFICATE -> Optional.of(TlsFailure.STS_WEBPKI_INVALID);
                case UNREACHABLE, REFUSED, DEADLINE -> Optional.of(TlsFailure.STS_POLICY_FETCH_ERROR);
                case BUSY, INTERRUPTED -> Optional.empty();
            };
        }

        /** Whether the failure came from trying the policy host, rather than from this side before that. */
        public boolean triedThePolicyHost() {
            return this != BUSY && this != INTERRUPTED;
        }
    }

    private final Reason reason;

    /** A policy body that breaks the grammar of RFC 8461 3.2 ({@link Reason#INVALID}). */
    public PolicyException(String message) {
        this(Reason.INVALID, message, null);
    }

    public PolicyException(Reason reason, String message) {
        this(reason, message, null);
    }

    public PolicyException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
