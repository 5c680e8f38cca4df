package org.depesche.smtp.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.depesche.mail.BodyType;
import org.depesche.queue.Envelope;
import org.depesche.queue.Queue;
import org.depesche.queue.Recipient;
import org.depesche.mail.MailAddress;

/**
 * The state of one mail transaction (RFC 5321 3.3): from MAIL to the end of
 * DATA or the last BDAT chunk, forgotten on RSET, EHLO/HELO and STARTTLS.
 * Kept apart from the connection's state (greeting, TLS, login), which
 * outlives transactions.
 */
final class Transaction {
    final Optional<MailAddress> sender;
    final BodyType bodyType;
    final boolean smtpUtf8;
    /** MAIL FROM carried REQUIRETLS (RFC 8689 4.1: the message is tagged). */
    final boolean requireTls;
    final List<Recipient> recipients = new ArrayList<>();
    private final Set<MailAddress> mailboxes = new HashSet<>();
    private final Set<MailAddress> acceptedAddresses = new HashSet<>();
    /** When the message data began; goes into Received and the envelope. */
    java.time.Instant receivedAt;
    /** Set while a BDAT sequence is in progress (RFC 3030 2). */
    Queue.Incoming incoming;
    MessageSink sink;
    /** The time the BDAT chunks of this message may take together. */
    SmtpInput.Pace pace;

    Transaction(Optional<MailAddress> sender, BodyType bodyType, boolean smtpUtf8, boolean requireTls) {
        this.sender = sender;
        this.bodyType = bodyType;
        this.smtpUtf8 = smtpUtf8;
        this.requireTls = requireTls;
    }

    /** Number of distinct RCPT addresses accepted, the count the recipient limit applies to. */
    int acceptedCount() {
        return acceptedAddresses.size();
    }

    /** Records an accepted RCPT; each resolved mailbox is kept once per message. */
    void accept(MailAddress original, List<MailAddress> resolved) {
        acceptedAddresses.add(original);
        for (MailAddress mailbox : resolved) {
            if (mailboxes.add(mailbox)) recipients.add(new Recipient(original, mailbox));
        }
    }

    boolean hasAccepted(MailAddress original) {
        return acceptedAddresses.contains(original);
    }

    /** Discards a message being received by BDAT. */
    void abort() {
        if (incoming != null) incoming.abort();
        incoming = null;
        sink = null;
    }
}
