package org.depesche.smtp.client;

import java.time.Duration;

/**
 * Client timeouts of RFC 5321 4.5.3.2 plus the TCP connect timeout, which
 * the RFC leaves open. {@code command} covers EHLO, HELO, STARTTLS with its
 * handshake, RSET and QUIT. {@code dataBlock} bounds every write of message
 * content, so a receiver that stops reading cannot hold the sender forever.
 */
public record ClientTimeouts(Duration connect, Duration greeting, Duration command, Duration mail, Duration rcpt,
                             Duration dataInit, Duration dataBlock, Duration dataFinal) {

    public ClientTimeouts {
        for (Duration d : new Duration[] {connect, greeting, command, mail, rcpt, dataInit, dataBlock, dataFinal}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** RFC 5321 4.5.3.2: 5 min greeting, MAIL and RCPT; 2 min DATA; 3 min per data block; 10 min after the dot. */
    public static ClientTimeouts rfc5321() {
        Duration five = Duration.ofMinutes(5);
        return new ClientTimeouts(Duration.ofSeconds(30), five, five, five, five,
                Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(10));
    }

    /** The same duration everywhere; for tests and labs. */
    public static ClientTimeouts all(Duration d) {
        return new ClientTimeouts(d, d, d, d, d, d, d, d);
    }
}
