package org.depesche.queue;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.depesche.mail.BodyType;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;

/**
 * The JSON form of a queued message's envelope and delivery state (the
 * "<id>.env" file). Plain strings on disk, so the file is readable with any
 * tool and needs no Jackson modules; {@code version} lets a later format
 * tell old files apart.
 */
final class SpoolCodec {
    static final int VERSION = 1;

    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    byte[] encode(QueuedMessage m) throws IOException {
        Envelope e = m.envelope();
        List<StoredRecipient> rcpts = IntStream.range(0, e.recipients().size())
                .mapToObj(i -> StoredRecipient.of(e.recipients().get(i), m.states().get(i))).toList();
        Stored s = new Stored(VERSION, m.id(), m.size(), StoredArrival.of(e), StoredTransaction.of(e), rcpts,
                StoredSchedule.of(m), m.attempts().stream().map(StoredAttempt::of).toList(), StoredDemand.of(e.demand()));
        return json.writeValueAsBytes(s);
    }

    QueuedMessage decode(byte[] bytes) throws IOException {
        Stored s = json.readValue(bytes, Stored.class);
        if (s.version() != VERSION) throw new IOException("unknown spool format version " + s.version());
        try {
            StoredArrival in = s.arrival();
            StoredTransaction tx = s.transaction();
            Envelope e = new Envelope(tx.toSender(), s.recipients().stream().map(StoredRecipient::toRecipient).toList(),
                    in.toReceivedAt(), in.connectionId(), in.peerAddress(), in.toTls(), in.toAuthenticatedUser(),
                    tx.smtpUtf8(), Objects.requireNonNull(tx.bodyType(), "body type"),
                    s.demand() == null ? TransportDemand.NONE : s.demand().toDemand());
            List<QueuedMessage.RecipientState> states = s.recipients().stream().map(StoredRecipient::toState).toList();
            List<QueuedMessage.Attempt> attempts = s.attempts() == null ? List.of()
                    : s.attempts().stream().map(StoredAttempt::toAttempt).toList();
            StoredSchedule when = s.schedule();
            return new QueuedMessage(s.id(), e, s.size(), states, attempts, when.deferrals(), when.toNextAttempt(),
                    when.delayNotified());
        } catch (RuntimeException ex) {
            throw new IOException("malformed envelope: " + ex.getMessage(), ex);
        }
    }

    /** Not MailAddress.parse: what was accepted once must load again even if parsing gets stricter. */
    private static MailAddress address(String s) {
        int at = s.lastIndexOf('@');
        return new MailAddress(s.substring(0, at), s.substring(at + 1));
    }

    /**
     * The file: one flat JSON object, as version 1 has always been written.
     * The parts are unwrapped into it, so that grouping them changed the
     * records and not the files; each part is built from the queue's own
     * types in one place ({@code of}) and read back next to it.
     */
    record Stored(int version, String id, long size,
                  @JsonUnwrapped StoredArrival arrival,
                  @JsonUnwrapped StoredTransaction transaction,
                  List<StoredRecipient> recipients,
                  @JsonUnwrapped StoredSchedule schedule,
                  List<StoredAttempt> attempts,
                  StoredDemand demand) {
    }

    /** How the message came in: when, on which connection, from where, over what TLS, from which user. */
    record StoredArrival(String receivedAt, String connectionId, String peerAddress, String tlsProtocol,
                         String tlsCipher, String authenticatedUser) {
        static StoredArrival of(Envelope e) {
            return new StoredArrival(e.receivedAt().toString(), e.connectionId(), e.peerAddress(), e.tls().protocol(),
                    e.tls().cipher(), e.authenticatedUser().orElse(null));
        }

        Instant toReceivedAt() {
            return Instant.parse(receivedAt);
        }

        TlsInfo toTls() {
            return tlsProtocol == null || tlsProtocol.isEmpty() ? TlsInfo.NONE : new TlsInfo(tlsProtocol, tlsCipher);
        }

        Optional<String> toAuthenticatedUser() {
            return Optional.ofNullable(authenticatedUser);
        }
    }

    /** What MAIL FROM said: the reverse path (null for the null sender) and its parameters. */
    record StoredTransaction(String sender, boolean smtpUtf8, BodyType bodyType) {
        static StoredTransaction of(Envelope e) {
            return new StoredTransaction(e.sender().map(MailAddress::toString).orElse(null), e.smtpUtf8(), e.bodyType());
        }

        Optional<MailAddress> toSender() {
            return Optional.ofNullable(sender).map(SpoolCodec::address);
        }
    }

    /** When the next round is due, after how many failed ones, and whether the delay notice went out. */
    record StoredSchedule(int deferrals, String nextAttempt, boolean delayNotified) {
        static StoredSchedule of(QueuedMessage m) {
            return new StoredSchedule(m.deferrals(), m.nextAttempt().toString(), m.delayNotified());
        }

        Instant toNextAttempt() {
            return Instant.parse(nextAttempt);
        }
    }

    /** Absent (null) in files written before messages could demand anything, and for ordinary messages. */
    record StoredDemand(boolean requireTls, boolean tlsRequiredNo, String floor, String because) {
        static StoredDemand of(TransportDemand d) {
            return d.equals(TransportDemand.NONE) ? null
                    : new StoredDemand(d.requireTls(), d.tlsRequiredNo(), d.floorName(), d.because());
        }

        TransportDemand toDemand() {
            return new TransportDemand(requireTls, tlsRequiredNo, TransportDemand.floorNamed(floor), because);
        }
    }

    /** One envelope recipient with where its delivery stands. */
    record StoredRecipient(String original, String mailbox, QueuedMessage.State state, String detail) {
        static StoredRecipient of(Recipient r, QueuedMessage.RecipientState s) {
            return new StoredRecipient(r.original().toString(), r.mailbox().toString(), s.state(), s.detail());
        }

        Recipient toRecipient() {
            return new Recipient(address(original), address(mailbox));
        }

        QueuedMessage.RecipientState toState() {
            return new QueuedMessage.RecipientState(Objects.requireNonNull(state, "recipient state"), detail);
        }
    }

    /** {@code hop} is absent in files written before remote delivery; Jackson leaves it null. */
    record StoredAttempt(String at, String recipient, Courier.Outcome outcome, String detail, Courier.Hop hop) {
        static StoredAttempt of(QueuedMessage.Attempt a) {
            return new StoredAttempt(a.at().toString(), a.recipient().toString(), a.outcome(), a.detail(), a.hop());
        }

        QueuedMessage.Attempt toAttempt() {
            return new QueuedMessage.Attempt(Instant.parse(at), address(recipient),
                    Objects.requireNonNull(outcome, "attempt outcome"), detail, hop);
        }
    }
}
