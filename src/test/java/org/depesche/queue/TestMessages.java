package org.depesche.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;

/** Envelopes, messages and a settable clock for the queue tests. */
final class TestMessages {
    static final String BODY = "From: alice@example.org\r\nTo: bob@example.com\r\nSubject: hello\r\n\r\nHi Bob.\r\n";

    private TestMessages() {
    }

    static Envelope envelope(Instant receivedAt, String sender, String... mailboxes) {
        return new Envelope(Optional.ofNullable(sender).map(MailAddress::parse),
                Arrays.stream(mailboxes).map(a -> new Recipient(MailAddress.parse(a), MailAddress.parse(a))).toList(),
                receivedAt, "cid123456789", "192.0.2.7", new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
                Optional.empty(), false, BodyType.EIGHT_BIT_MIME);
    }

    static QueuedMessage commit(Queue queue, Envelope envelope, String content) throws IOException {
        try (Queue.Incoming in = queue.begin()) {
            in.content().write(content.getBytes(StandardCharsets.UTF_8));
            return in.commit(envelope);
        }
    }

    /** Waits for a condition that other threads make true; the limit only stops a broken test from hanging. */
    static void await(Condition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached within 30 s");
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }
}
