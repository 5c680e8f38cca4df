package org.depesche.store;

import java.io.IOException;
import java.io.InputStream;

import org.depesche.mail.MailAddress;

/**
 * Where delivered mail lives. The queue hands a message to a store once per
 * mailbox; the store makes it durable before returning. {@code deliveryKey}
 * identifies this (message, mailbox) pair and is kept with the stored
 * message, so that after a crash the queue can ask {@link #contains} whether
 * a delivery it has not recorded did in fact happen, and not repeat it.
 * Implementation: {@link MaildirStore}.
 */
public interface MailboxStore {

    /** Stores the message (CRLF line ends, as queued) for the account whose canonical address is {@code mailbox}. */
    void deliver(MailAddress mailbox, String deliveryKey, InputStream message) throws IOException;

    /** True if a message with this key was already stored in this mailbox. */
    boolean contains(MailAddress mailbox, String deliveryKey) throws IOException;
}
