package org.depesche.queue;

import org.depesche.mail.MailAddress;

/**
 * One recipient of a queued message: the address as the client gave it in
 * RCPT TO, and the mailbox it resolved to at RCPT time (the account's
 * canonical address, after aliases and plus-addressing). Delivery is tracked
 * per recipient.
 */
public record Recipient(MailAddress original, MailAddress mailbox) {
}
