package org.depesche.smtp.server;

import java.util.List;
import java.util.function.Predicate;

import org.depesche.mail.MailAddress;
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

    static void checkFrom(MessageHeader header, boolean truncated, Predicate<MailAddress> mayUse) throws SmtpException {
        if (truncated) {
            throw new SmtpException(552, "5.3.4", "Header section exceeds " + MessageSink.MAX_HEADER_SECTION + " octets");
        }
        if (header.values("from").isEmpty()) {
            throw new SmtpException(550, "5.6.0", "Message has no From header field (RFC 5322 3.6.2)");
        }
        if (checkMailboxes(header.mailboxes("from"), "From:", mayUse) == 0) {
            throw new SmtpException(550, "5.7.1", "From: header names no address you may send as");
        }
        // RFC 5322 3.6.2: Sender names who actually sent it, and readers show it ("on behalf of").
        checkMailboxes(header.mailboxes("sender"), "Sender:", mayUse);
    }

    /** Every mailbox must be usable; returns how many there were. */
    private static int checkMailboxes(List<MessageHeader.ParsedMailbox> mailboxes, String field,
                                      Predicate<MailAddress> mayUse) throws SmtpException {
        for (MessageHeader.ParsedMailbox m : mailboxes) {
            if (m.address() == null || !mayUse.test(m.address())) {
                throw new SmtpException(550, "5.7.1", field + " header address <" + m.written()
                        + "> is not one you may send as");
            }
        }
        return mailboxes.size();
    }
}
