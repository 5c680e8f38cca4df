package org.depesche.smtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.mail.MailAddress;
import org.depesche.transport.HopRequirement.RequireTls;

/**
 * What one connection delivers: the reverse path (empty for the null sender,
 * RFC 5321 4.5.5), the recipients (all at one destination), the size for the
 * SIZE parameter, the body type and SMTPUTF8 flag from the queued envelope,
 * the content as queued (RFC 5322 with CRLF line ends, not dot-stuffed),
 * opened anew for each attempt, and whether the REQUIRETLS MAIL parameter
 * (RFC 8689 2) goes with it.
 */
public record OutboundMessage(Optional<MailAddress> sender, List<MailAddress> recipients, long size,
                              BodyType bodyType, boolean smtpUtf8, Content content, RequireTls requireTls) {

    public OutboundMessage {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) throw new IllegalArgumentException("no recipient");
        if (bodyType == null) bodyType = BodyType.SEVEN_BIT;
        if (requireTls == null) requireTls = RequireTls.NO;
    }

    /** A message sent without the REQUIRETLS parameter. */
    public OutboundMessage(Optional<MailAddress> sender, List<MailAddress> recipients, long size,
                           BodyType bodyType, boolean smtpUtf8, Content content) {
        this(sender, recipients, size, bodyType, smtpUtf8, content, RequireTls.NO);
    }

    /** Opens the message content; called at most once per attempt, only after DATA got 354. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    /** True if an address or the flag from the envelope needs SMTPUTF8 (RFC 6531 3.4). */
    boolean needsSmtpUtf8() {
        return smtpUtf8 || sender.map(MailAddress::isInternational).orElse(false)
                || recipients.stream().anyMatch(MailAddress::isInternational);
    }
}
