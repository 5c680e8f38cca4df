package org.depesche.smtp.client;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.depesche.mail.MailAddress;
import org.depesche.smtp.Reply;

/**
 * The record of one connection to one MX address: where, when, what the
 * policy required of the connection (the {@link TlsRequirement}: DANE,
 * MTA-STS or static PKIX, pins, or none), the TLS outcome (with its typed
 * {@link org.depesche.transport.TlsFailure}), the EHLO keywords the server offered (after STARTTLS if TLS was
 * used), one result per recipient, the reply to the end of data, the stage
 * at which the attempt failed ({@link Stage#NONE} if the transaction
 * completed) and whether the envelope (MAIL FROM) or content left this host.
 * {@code message} is a sentence for logs and bounces, "" on success.
 */
public record DeliveryAttempt(String mxHost, InetSocketAddress address, Instant startedAt, TlsRequirement requirement,
                              TlsOutcome tls,
                              Set<String> ehloKeywords, List<RecipientResult> recipients, Optional<Reply> dataReply,
                              Stage failedStage, boolean envelopeSent, boolean contentSent, String message) {

    public DeliveryAttempt {
        ehloKeywords = Set.copyOf(ehloKeywords);
        recipients = List.copyOf(recipients);
    }

    /** Where an attempt stopped. */
    public enum Stage {
        NONE, CONNECT, GREETING, EHLO, STARTTLS, TLS_AUTH, MAIL, RCPT, DATA;

        /** "connect", "tls-auth", ...; "" for NONE. */
        public String label() {
            return this == NONE ? "" : name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The outcome for one recipient: {@code reply} is what decides its fate
     * (positive: delivered; 4xx: retry; 5xx: bounce) and is either the
     * server's reply (to RCPT, or to the end of data for accepted
     * recipients) or, when the session failed before, a local one with an
     * RFC 3463 code. {@code diagnostic} says it in words for the DSN.
     * {@code fromServer}: the reply is the server's own, not one made here
     * (only the server's may be reported as its Diagnostic-Code, RFC 3464 2.3.6).
     */
    public record RecipientResult(MailAddress recipient, Reply reply, String diagnostic, boolean fromServer) {
        public boolean delivered() {
            return reply.isPositive();
        }
    }

    public boolean completed() {
        return failedStage == Stage.NONE;
    }

    public List<MailAddress> delivered() {
        return recipients.stream().filter(RecipientResult::delivered).map(RecipientResult::recipient).toList();
    }

    /** The IP address as text, for history and bounces. */
    public String ip() {
        return address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    }
}
