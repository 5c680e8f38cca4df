package org.depesche.queue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.depesche.mail.MailAddress;
import org.depesche.store.MailboxStore;

/**
 * Final delivery into local mailboxes. As the final delivery agent it adds
 * Return-Path (RFC 5321 4.4) and Delivered-To at the top. Each (message,
 * mailbox) gets a deterministic delivery key, so that after a crash the
 * runner can ask the store whether the delivery already happened, and two
 * recipients resolving to the same mailbox (an alias and its target) get
 * one copy.
 */
public final class LocalCourier implements Courier {
    private final MailboxStore store;

    public LocalCourier(MailboxStore store) {
        this.store = store;
    }

    /** Writing to a local disk cannot be tarpitted by a peer; only the runner's workers bound it. */
    @Override
    public Optional<String> destination(QueuedMessage message, int recipient) {
        return Optional.empty();
    }

    @Override
    public List<Result> deliver(QueuedMessage message, List<Integer> recipients, Content content) {
        List<Result> results = new ArrayList<>(recipients.size());
        Set<String> storedKeys = new HashSet<>();
        for (int i : recipients) {
            MailAddress mailbox = message.mailbox(i);
            String key = deliveryKey(message, i);
            if (storedKeys.contains(key)) {
                results.add(Result.delivered("same mailbox as another recipient, stored once"));
                continue;
            }
            results.add(deliverOne(message, mailbox, key, content));
            if (results.getLast().outcome() == Outcome.DELIVERED) storedKeys.add(key);
        }
        return results;
    }

    private Result deliverOne(QueuedMessage message, MailAddress mailbox, String key, Content content) {
        try (InputStream in = new SequenceInputStream(new ByteArrayInputStream(traceHeaders(message, mailbox)),
                content.open())) {
            store.deliver(mailbox, key, in);
            return Result.delivered("stored in mailbox " + mailbox);
        } catch (IllegalArgumentException e) {
            return Result.failed(e.getMessage());
        } catch (IOException e) {
            return Result.deferred("mailbox " + mailbox + " not writable: " + e.getClass().getSimpleName()
                    + ": " + e.getMessage());
        }
    }

    @Override
    public boolean alreadyDelivered(QueuedMessage message, int recipient) throws IOException {
        try {
            return store.contains(message.mailbox(recipient), deliveryKey(message, recipient));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * "<queue id>-<n>", n being the first recipient index with the same
     * mailbox: stable across restarts, and equal for duplicates.
     */
    static String deliveryKey(QueuedMessage message, int recipient) {
        MailAddress mailbox = message.mailbox(recipient);
        for (int j = 0; j < recipient; j++) {
            MailAddress other = message.mailbox(j);
            if (other.domain().equals(mailbox.domain())
                    && other.normalizedLocalPart().equals(mailbox.normalizedLocalPart())) {
                return message.id() + "-" + j;
            }
        }
        return message.id() + "-" + recipient;
    }

    private static byte[] traceHeaders(QueuedMessage message, MailAddress mailbox) {
        // RFC 5321 4.4: the null reverse-path is recorded as "<>".
        String sender = message.envelope().sender().map(MailAddress::toString).orElse("");
        return ("Return-Path: <" + sender + ">\r\nDelivered-To: " + mailbox + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
