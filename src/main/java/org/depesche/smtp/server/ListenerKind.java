package org.depesche.smtp.server;

/**
 * The three kinds of listener: the MX port (RFC 5321, STARTTLS offered, no
 * AUTH, relays nothing), submission with STARTTLS (RFC 6409, AUTH required
 * to send) and submission over implicit TLS (RFC 8314 3.3).
 */
public enum ListenerKind {
    SMTP,
    SUBMISSION,
    SUBMISSIONS;

    /** Submission listeners require AUTH before MAIL and check the sender (RFC 6409 4.3, 6.1). */
    boolean isSubmission() {
        return this != SMTP;
    }
}
