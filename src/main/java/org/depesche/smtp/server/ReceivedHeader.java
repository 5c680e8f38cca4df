package org.depesche.smtp.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;

/**
 * The trace header this hop adds (RFC 5321 4.4): who we talked to, how
 * (RFC 3848 protocol names ESMTP, ESMTPS, ESMTPA, ESMTPSA), with which TLS
 * version and cipher (RFC 8314 4.3), and the connection id a user can quote.
 * On submission the client's IP is left out unless configured (THREATS T9).
 */
record ReceivedHeader(String helo, InetAddress peer, boolean includePeer, String hostname,
                      String protocol, String queueId, TlsInfo tls, String connectionId,
                      MailAddress singleRecipient, Instant at) {

    private static final DateTimeFormatter RFC5322_DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** RFC 3848 2: the "with" protocol from what the session did. */
    static String protocol(boolean extended, boolean tls, boolean authenticated) {
        if (!extended) return "SMTP";
        return "ESMTP" + (tls ? "S" : "") + (authenticated ? "A" : "");
    }

    /** Header field with CRLF line ends, folded (RFC 5322 2.2.3), ready to prepend to the message. */
    String toHeader() {
        // THREATS T9: a greeting that is an address literal ("EHLO [192.0.2.7]") is the client's IP too.
        String from = includePeer || !helo.startsWith("[") ? helo : "unknown";
        StringBuilder h = new StringBuilder("Received: from ").append(from);
        if (includePeer) h.append(" (").append(addressLiteral(peer)).append(')');
        h.append(" by ").append(hostname).append(" (Depesche) with ").append(protocol)
                .append(" id ").append(queueId).append("\r\n\t");
        if (tls.isEncrypted()) h.append('(').append(tls.protocol()).append(' ').append(tls.cipher()).append(") ");
        h.append("(cid ").append(connectionId).append(')');
        if (singleRecipient != null) h.append(" for <").append(singleRecipient).append('>');
        h.append(";\r\n\t").append(RFC5322_DATE.format(at)).append("\r\n");
        return h.toString();
    }

    /** RFC 5321 4.1.3 address literal, IPv6 with its tag. */
    static String addressLiteral(InetAddress a) {
        return a instanceof Inet6Address ? "[IPv6:" + a.getHostAddress() + "]" : "[" + a.getHostAddress() + "]";
    }
}
