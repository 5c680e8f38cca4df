package org.depesche.dsn;

import java.time.Instant;
import java.util.List;

import org.depesche.queue.Courier;
import org.depesche.mail.MailAddress;

/**
 * What one notification says: about which message (queue id, arrival), to
 * whom, and one entry per recipient it concerns. {@code contentWithheld}:
 * the message was sent with REQUIRETLS, so only the header fields that
 * identify it are attached (RFC 8689 5).
 */
public record Report(Kind kind, String reportingMta, String queueId, Instant arrival, MailAddress to,
                     List<Entry> entries, byte[] originalHeaders, boolean contentWithheld) {

    public Report {
        entries = List.copyOf(entries);
    }

    /** A report with the whole header section of the message attached. */
    public Report(Kind kind, String reportingMta, String queueId, Instant arrival, MailAddress to,
                  List<Entry> entries, byte[] originalHeaders) {
        this(kind, reportingMta, queueId, arrival, to, entries, originalHeaders, false);
    }

    public enum Kind {
        /** RFC 3464 Action: failed. */
        FAILED,
        /** RFC 3464 Action: delayed (the message is still being retried). */
        DELAYED
    }

    /**
     * One recipient: the address given in RCPT TO, the address delivered to,
     * the RFC 3463 status, the explanation in words, the last remote hop if
     * any server was reached (Remote-MTA, Diagnostic-Code), the time of the
     * last attempt, and for delays until when it is retried.
     */
    public record Entry(MailAddress original, MailAddress recipient, String status, String explanation,
                        Courier.Hop lastHop, Instant lastAttempt, Instant retryUntil) {
    }
}
