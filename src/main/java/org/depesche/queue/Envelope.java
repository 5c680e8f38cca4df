package org.depesche.queue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;

/**
 * What the SMTP transaction said about a message, stored beside it in the
 * queue: the reverse path (empty for the null sender, RFC 5321 4.5.5), the
 * recipients with where each goes, and the facts of the hop it came in on.
 */
public record Envelope(
        Optional<MailAddress> sender,
        List<Recipient> recipients,
        Instant receivedAt,
        String connectionId,
        String peerAddress,
        TlsInfo tls,
        Optional<String> authenticatedUser,
        boolean smtpUtf8,
        BodyType bodyType,
        TransportDemand demand) {

    public Envelope {
        recipients = List.copyOf(recipients);
        demand = demand == null ? TransportDemand.NONE : demand;
    }

    /** An envelope that demands nothing of its transport beyond the destination's policy. */
    public Envelope(Optional<MailAddress> sender, List<Recipient> recipients, Instant receivedAt, String connectionId,
                    String peerAddress, TlsInfo tls, Optional<String> authenticatedUser, boolean smtpUtf8,
                    BodyType bodyType) {
        this(sender, recipients, receivedAt, connectionId, peerAddress, tls, authenticatedUser, smtpUtf8, bodyType,
                TransportDemand.NONE);
    }

    public Envelope withDemand(TransportDemand d) {
        return new Envelope(sender, recipients, receivedAt, connectionId, peerAddress, tls, authenticatedUser,
                smtpUtf8, bodyType, d);
    }

}
