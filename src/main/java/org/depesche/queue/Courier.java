package org.depesche.queue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.MailAddress;

/**
 * Delivers a queued message to some of its recipients and says, per
 * recipient, what happened. The queue runner owns retries and state; a
 * courier only makes one attempt. Implementations: {@link LocalCourier}
 * (Maildir) and org.depesche.outbound.RemoteCourier (SMTP to other
 * domains), combined by org.depesche.outbound.RoutingCourier.
 */
public interface Courier {

    /**
     * Makes one attempt for the given recipients (indexes into the envelope's
     * recipient list) and returns one result per given index, in the same
     * order. Must not throw for a single recipient's failure.
     */
    List<Result> deliver(QueuedMessage message, List<Integer> recipients, Content content);

    /**
     * After a crash: true if this recipient provably already has the message
     * (delivered before the queue recorded it). Couriers that cannot know
     * return false, and the message is delivered again.
     */
    default boolean alreadyDelivered(QueuedMessage message, int recipient) throws IOException {
        return false;
    }

    /**
     * The destination this recipient's delivery counts against for the
     * runner's per-destination concurrency limit (the recipient's domain,
     * which {@link MailAddress} keeps as its {@code DomainName} key, so every
     * spelling of a domain counts once);
     * empty for deliveries that are not limited, such as local mailboxes.
     */
    default Optional<String> destination(QueuedMessage message, int recipient) {
        return Optional.of(message.mailbox(recipient).domain());
    }

    /** The message content as queued (CRLF line ends); each call opens a fresh stream. */
    @FunctionalInterface
    interface Content {
        InputStream open() throws IOException;
    }

    /** DEFERRED is a temporary failure (retried, RFC 5321 4.5.4.1); FAILED is permanent. */
    enum Outcome { DELIVERED, DEFERRED, FAILED }

    /**
     * One result; {@code hop} says where a remote attempt went (null for
     * local delivery or when no server was reached); {@code detail} is cut
     * to {@link Excerpt#DETAIL} chars.
     */
    record Result(Outcome outcome, String detail, Hop hop) {
        /** Kept in the state and history of the recipient: bounded, whatever a courier put in (THREATS T14). */
        public Result {
            detail = Excerpt.of(detail, Excerpt.DETAIL);
        }

        public Result(Outcome outcome, String detail) {
            this(outcome, detail, null);
        }

        public Result withHop(Hop hop) {
            return new Result(outcome, detail, hop);
        }

        public static Result delivered(String detail) { return new Result(Outcome.DELIVERED, detail); }
        public static Result deferred(String detail) { return new Result(Outcome.DEFERRED, detail); }
        public static Result failed(String detail) { return new Result(Outcome.FAILED, detail); }
    }

    /**
     * The facts of one remote attempt for `queue show` and bounces: MX host,
     * IP address, TLS version and cipher ("" for plaintext), how the server
     * was authenticated (none, dane-ee, dane-ta, pkix, pinned), why TLS
     * failed (the label of an org.depesche.transport.TlsFailure,
     * "starttls-not-supported", "tlsa-invalid", ...; "" if it did not; older
     * attempts keep the words of their day, "dane-mismatch"), the reply that decided the recipient's fate ("" if none came;
     * an {@link Excerpt} of at most {@link Excerpt#REPLY} chars)
     * and whether the server said it ({@code replyFromServer}) or this side
     * made it up for a failure of its own (timeout, refused connection, a
     * size the server announced it would refuse).
     */
    record Hop(String mx, String ip, String tlsProtocol, String tlsCipher, String authentication, String tlsFailure,
               String reply, boolean replyFromServer) {
        public Hop {
            tlsFailure = tlsFailure == null ? "" : tlsFailure;
            reply = Excerpt.of(reply, Excerpt.REPLY); // a server's reply may be 200 KB; a bounce quotes it
        }

        /** A hop whose reply, if any, came from the server. */
        public Hop(String mx, String ip, String tlsProtocol, String tlsCipher, String authentication, String tlsFailure,
                   String reply) {
            this(mx, ip, tlsProtocol, tlsCipher, authentication, tlsFailure, reply, true);
        }

        public Hop(String mx, String ip, String tlsProtocol, String tlsCipher, String authentication, String reply) {
            this(mx, ip, tlsProtocol, tlsCipher, authentication, "", reply);
        }

        @Override
        public String toString() {
            return mx + " [" + ip + "] " + (tlsProtocol.isEmpty() ? "no TLS" : tlsProtocol + " " + tlsCipher)
                    + ", auth " + authentication + (tlsFailure.isEmpty() ? "" : ", TLS failure " + tlsFailure)
                    + (reply.isEmpty() ? "" : ", reply \"" + reply + "\"");
        }
    }
}
