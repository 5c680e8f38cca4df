package org.depesche.smtp.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.depesche.smtp.MailAddress;
import org.depesche.smtp.SmtpException;

/**
 * The From check on submission (THREATS T13, RFC 6409 8.1 lets an MSA refuse
 * what it will not vouch for): every mailbox in every From and Sender field
 * of the header section must be an address the logged-in user may use, so a
 * user cannot write mail in someone else's name.
 */
final class SenderCheck {

    private SenderCheck() {
    }

    static void checkFrom(byte[] headerSection, boolean truncated, Predicate<MailAddress> mayUse) throws SmtpException {
        if (truncated) {
            throw new SmtpException(552, "5.3.4", "Header section exceeds " + MessageSink.MAX_HEADER_SECTION + " octets");
        }
        String headers = new String(headerSection, StandardCharsets.UTF_8);
        List<String> froms = fieldValues(headers, "from");
        if (froms.isEmpty()) throw new SmtpException(550, "5.6.0", "Message has no From header field (RFC 5322 3.6.2)");
        if (checkMailboxes(froms, "From:", mayUse) == 0) {
            throw new SmtpException(550, "5.7.1", "From: header names no address you may send as");
        }
        // RFC 5322 3.6.2: Sender names who actually sent it, and readers show it ("on behalf of").
        checkMailboxes(fieldValues(headers, "sender"), "Sender:", mayUse);
    }

    /** Every mailbox in these field values must be usable; returns how many there were. */
    private static int checkMailboxes(List<String> values, String field, Predicate<MailAddress> mayUse) throws SmtpException {
        int mailboxes = 0;
        for (String value : values) {
            for (Mailbox m : LenientAddressParser.DEFAULT.parseAddressList(value).flatten()) {
                MailAddress address = toAddress(m);
                if (address == null || !mayUse.test(address)) {
                    throw new SmtpException(550, "5.7.1", field + " header address <" + m.getAddress()
                            + "> is not one you may send as");
                }
                mailboxes++;
            }
        }
        return mailboxes;
    }

    private static MailAddress toAddress(Mailbox m) {
        if (m.getLocalPart() == null || m.getDomain() == null) return null;
        try {
            return MailAddress.parse(m.getLocalPart() + "@" + m.getDomain());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Unfolded values of every field with this (lower-case) name, up to the empty line (RFC 5322 2.2, 2.2.3). */
    static List<String> fieldValues(String headers, String name) {
        List<String> values = new ArrayList<>();
        StringBuilder current = null;
        for (String line : headers.split("\r\n", -1)) {
            if (line.isEmpty()) break;
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (current != null) current.append(line);
                continue;
            }
            if (current != null) values.add(current.toString());
            current = null;
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
                current = new StringBuilder(line.substring(colon + 1));
            }
        }
        if (current != null) values.add(current.toString());
        return values;
    }
}
