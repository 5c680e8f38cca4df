package org.depesche.queue;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

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
        List<StoredRecipient> rcpts = IntStream.range(0, e.recipients().size()).mapToObj(i -> {
            Recipient r = e.recipients().get(i);
            QueuedMessage.RecipientState s = m.states().get(i);
            return new StoredRecipient(r.original().toString(), r.mailbox().toString(), s.state().name(), s.detail());
        }).toList();
        List<StoredAttempt> attempts = m.attempts().stream().map(a -> new StoredAttempt(
                a.at().toString(), a.recipient().toString(), a.outcome().name(), a.detail(), a.hop())).toList();
        Stored s = new Stored(VERSION, m.id(), m.size(), e.sender().map(MailAddress::toString).orElse(null),
                rcpts, e.receivedAt().toString(), e.connectionId(), e.peerAddress(),
                e.tls().protocol(), e.tls().cipher(), e.authenticatedUser().orElse(null), e.smtpUtf8(),
                e.bodyType().name(), m.deferrals(), m.nextAttempt().toString(), attempts, m.delayNotified(),
                demand(e.demand()));
        return json.writeValueAsBytes(s);
    }

    QueuedMessage decode(byte[] bytes) throws IOException {
        Stored s = json.readValue(bytes, Stored.class);
        if (s.version() != VERSION) throw new IOException("unknown spool format version " + s.version());
        try {
            List<Recipient> rcpts = s.recipients().stream()
                    .map(r -> new Recipient(address(r.original()), address(r.mailbox()))).toList();
            Envelope e = new Envelope(Optional.ofNullable(s.sender()).map(SpoolCodec::address), rcpts,
                    Instant.parse(s.receivedAt()), s.connectionId(), s.peerAddress(),
                    s.tlsProtocol() == null || s.tlsProtocol().isEmpty() ? TlsInfo.NONE
                            : new TlsInfo(s.tlsProtocol(), s.tlsCipher()),
                    Optional.ofNullable(s.authenticatedUser()), s.smtpUtf8(),
                    BodyType.valueOf(s.bodyType()),
                    s.demand() == null ? TransportDemand.NONE : new TransportDemand(s.demand().requireTls(),
                            s.demand().tlsRequiredNo(), TransportDemand.floorNamed(s.demand().floor()),
                            s.demand().because()));
            List<QueuedMessage.RecipientState> states = s.recipients().stream()
                    .map(r -> new QueuedMessage.RecipientState(QueuedMessage.State.valueOf(r.state()), r.detail()))
                    .toList();
            List<QueuedMessage.Attempt> attempts = s.attempts() == null ? List.of() : s.attempts().stream()
                    .map(a -> new QueuedMessage.Attempt(Instant.parse(a.at()), address(a.recipient()),
                            Courier.Outcome.valueOf(a.outcome()), a.detail(), a.hop())).toList();
            return new QueuedMessage(s.id(), e, s.size(), states, attempts, s.deferrals(),
                    Instant.parse(s.nextAttempt()), s.delayNotified());
        } catch (RuntimeException ex) {
            throw new IOException("malformed envelope: " + ex.getMessage(), ex);
        }
    }

    /** Not MailAddress.parse: what was accepted once must load again even if parsing gets stricter. */
    private static MailAddress address(String s) {
        int at = s.lastIndexOf('@');
        return new MailAddress(s.substring(0, at), s.substring(at + 1));
    }

    record Stored(int version, String id, long size, String sender, List<StoredRecipient> recipients,
                  String receivedAt, String connectionId, String peerAddress, String tlsProtocol,
                  String tlsCipher, String authenticatedUser, boolean smtpUtf8, String bodyType,
                  int deferrals, String nextAttempt, List<StoredAttempt> attempts, boolean delayNotified,
                  StoredDemand demand) {
    }

    /** Absent (null) in files written before messages could demand anything, and for ordinary messages. */
    record StoredDemand(boolean requireTls, boolean tlsRequiredNo, String floor, String because) {
    }

    private static StoredDemand demand(TransportDemand d) {
        return d.equals(TransportDemand.NONE) ? null
                : new StoredDemand(d.requireTls(), d.tlsRequiredNo(), d.floorName(), d.because());
    }

    record StoredRecipient(String original, String mailbox, String state, String detail) {
    }

    /** {@code hop} is absent in files written before remote delivery; Jackson leaves it null. */
    record StoredAttempt(String at, String recipient, String outcome, String detail, Courier.Hop hop) {
    }
}
