package org.depesche.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import org.depesche.mail.MailAddress;

/**
 * Where delivered mail lives. The queue hands a message to a store once per
 * mailbox; the store makes it durable before returning. {@code deliveryKey}
 * (ASCII letters, digits, '-' and '_'; anything else is an
 * IllegalArgumentException) identifies this (message, mailbox) pair and is
 * kept with the stored message, so that after a crash the queue can ask
 * {@link #contains} whether a delivery it has not recorded did in fact
 * happen, and not repeat it. A message is seen whole or not at all: nothing
 * of it is visible before {@link #deliver} returns, and a delivery that
 * fails leaves nothing behind that a reader would see. Deliveries to one
 * mailbox may run at once. An address that cannot be a mailbox is an
 * IllegalArgumentException. Implementation: {@link MaildirStore}.
 */
public interface MailboxStore {

    /** Stores the message (CRLF line ends, as queued) for the account whose canonical address is {@code mailbox}. */
    void deliver(MailAddress mailbox, String deliveryKey, InputStream message) throws IOException;

    /** True if a message with this key was already stored in this mailbox. */
    boolean contains(MailAddress mailbox, String deliveryKey) throws IOException;

    /**
     * The message stored under this key, as it was delivered (CRLF line
     * ends), for a reader such as an IMAP server; empty if there is none.
     */
    Optional<InputStream> open(MailAddress mailbox, String deliveryKey) throws IOException;
}
