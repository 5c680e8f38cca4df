package org.depesche.smtp.server;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.depesche.directory.Directory;
import org.depesche.directory.Directory.Strictness;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.transport.Strength;

/**
 * Decides, when a message is received, what it demands of the hops that
 * carry it on; the demand is stored with it (issue 4, decisions 1 to 3):
 * <ul>
 * <li>{@code requireTls} only when the client gave {@code MAIL FROM:<..>
 *     REQUIRETLS} (RFC 8689 4.1: the message is tagged);</li>
 * <li>on authenticated submission a floor: VERIFIED (an authenticated server) when the envelope
 *     sender or a From: address is secure with strictness verify, or the
 *     account sends only over authenticated TLS; ENCRYPTED when such an
 *     address asks only for encryption. The first reason for the highest
 *     floor is kept, in words for a bounce;</li>
 * <li>{@code tlsRequiredNo} for a {@code TLS-Required: No} field (RFC 8689 3,
 *     4.1), except when REQUIRETLS was given (4.1: the field "MUST be
 *     ignored") and when the message has a floor: a secure sender's wish
 *     outranks a header anyone can write, so the floor wins and the flag
 *     stays unset. The field itself is left in the message (4.1 allows
 *     relaying it).</li>
 * </ul>
 */
final class DemandDecision {

    private DemandDecision() {
    }

    /**
     * @param account the logged-in account on submission, null on the MX
     *                listener (mail from outside never gets a floor here)
     */
    static TransportDemand decide(boolean requireTls, Directory.Account account, Optional<MailAddress> sender,
                                  MessageHeader header, boolean headerTruncated, Directory directory) {
        TransportDemand d = TransportDemand.NONE.withRequireTls(requireTls);
        if (account != null) d = senderFloor(d, account, sender, header, directory);
        // A header section cut at its bound may hide a second TLS-Required field (RFC 8689 3: at most one).
        if (!requireTls && !d.demandsAnything() && !headerTruncated && saysTlsNotRequired(header))
            d = d.withTlsRequiredNo(true);
        return d;
    }

    private static TransportDemand senderFloor(TransportDemand d, Directory.Account account, Optional<MailAddress> sender,
                                               MessageHeader header, Directory directory) {
        if (sender.isPresent()) d = raise(d, directory.secureSender(sender.get()), "the sender " + sender.get());
        for (MessageHeader.ParsedMailbox m : header.mailboxes("from")) {
            if (m.address() == null) continue; // SenderCheck has refused such a message already
            d = raise(d, directory.secureSender(m.address()), "the From: address " + m.address());
        }
        if (directory.sendsOnlyAuthenticated(account)) {
            d = d.atLeast(Strength.VERIFIED, "the account " + account.address() + " sends only over authenticated TLS");
        }
        return d;
    }

    private static TransportDemand raise(TransportDemand d, Optional<Strictness> secure, String who) {
        if (secure.isEmpty()) return d;
        return d.atLeast(secure.get().floor(), who + " is a secure address");
    }

    /**
     * RFC 8689 3: {@code "TLS-Required:" [FWS] "No"}, and more than one
     * instance "MUST NOT appear": a message with several is not honoured,
     * so the destination's policy keeps applying.
     */
    static boolean saysTlsNotRequired(MessageHeader header) {
        List<String> values = header.values("TLS-Required");
        return values.size() == 1 && values.getFirst().strip().toLowerCase(Locale.ROOT).equals("no");
    }
}
