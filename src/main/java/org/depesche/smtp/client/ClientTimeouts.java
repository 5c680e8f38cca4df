package org.depesche.smtp.client;

import java.time.Duration;

/**
 * Client timeouts of RFC 5321 4.5.3.2 plus the TCP connect timeout, which
 * the RFC leaves open: the wait for each reply to a command, and the wait
 * while message content is sent and for the reply after it.
 */
public record ClientTimeouts(Duration connect, Replies replies, Content content) {

    public ClientTimeouts {
        positive(connect);
        if (replies == null || content == null) throw new IllegalArgumentException("timeouts must be positive");
    }

    /**
     * Waits for a reply (RFC 5321 4.5.3.2.1 to 4.5.3.2.4). {@code command}
     * covers EHLO, HELO, STARTTLS with its handshake, RSET and QUIT.
     */
    public record Replies(Duration greeting, Duration command, Duration mail, Duration rcpt, Duration dataInit) {
        public Replies {
            for (Duration d : new Duration[] {greeting, command, mail, rcpt, dataInit}) positive(d);
        }

        /** One wait for every reply before the content. */
        public static Replies all(Duration d) {
            return new Replies(d, d, d, d, d);
        }
    }

    /**
     * Waits while content is sent (RFC 5321 4.5.3.2.5 and 4.5.3.2.6).
     * {@code block} bounds every write of message content, so a receiver
     * that stops reading cannot hold the sender forever.
     */
    public record Content(Duration block, Duration finalReply) {
        public Content {
            positive(block);
            positive(finalReply);
        }

        public static Content all(Duration d) {
            return new Content(d, d);
        }
    }

    /** RFC 5321 4.5.3.2: 5 min greeting, MAIL and RCPT; 2 min DATA; 3 min per data block; 10 min after the dot. */
    public static ClientTimeouts rfc5321() {
        Duration five = Duration.ofMinutes(5);
        return new ClientTimeouts(Duration.ofSeconds(30), new Replies(five, five, five, five, Duration.ofMinutes(2)),
                new Content(Duration.ofMinutes(3), Duration.ofMinutes(10)));
    }

    /** The same duration everywhere; for tests and labs. */
    public static ClientTimeouts all(Duration d) {
        return new ClientTimeouts(d, Replies.all(d), Content.all(d));
    }

    private static void positive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeouts must be positive");
    }
}
