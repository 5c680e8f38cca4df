package org.depesche.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.depesche.mail.MailAddress;

/**
 * A message in the queue as the queue knows it: the envelope, the content
 * size, one delivery state per envelope recipient (same index), the history of
 * delivery attempts (per recipient its first and its last few, each with an
 * {@link Excerpt} of what the server said), and when the next attempt is
 * due. Immutable; the runner stores a changed copy with
 * {@link Queue#update(QueuedMessage)}.
 */
public record QueuedMessage(
        String id,
        Envelope envelope,
        long size,
        List<RecipientState> states,
        List<Attempt> attempts,
        int deferrals,
        Instant nextAttempt,
        boolean delayNotified) {

    public QueuedMessage {
        states = List.copyOf(states);
        attempts = List.copyOf(attempts);
        if (states.size() != envelope.recipients().size())
            throw new IllegalArgumentException("one state per recipient expected");
    }

    /** A message for which no delay notice was sent. */
    public QueuedMessage(String id, Envelope envelope, long size, List<RecipientState> states, List<Attempt> attempts,
                         int deferrals, Instant nextAttempt) {
        this(id, envelope, size, states, attempts, deferrals, nextAttempt, false);
    }

    /** A freshly committed message: every recipient pending, first attempt due at once. */
    public QueuedMessage(String id, Envelope envelope, long size) {
        this(id, envelope, size,
                envelope.recipients().stream().map(r -> RecipientState.PENDING).toList(),
                List.of(), 0, envelope.receivedAt());
    }

    /** Indexes (into the envelope's recipients) of those still to be delivered. */
    public List<Integer> pending() {
        return IntStream.range(0, states.size())
                .filter(i -> states.get(i).state() == State.PENDING).boxed().toList();
    }

    /** True when no recipient is pending: the message can leave the queue. */
    public boolean isDone() {
        return pending().isEmpty();
    }

    public MailAddress mailbox(int recipient) {
        return envelope.recipients().get(recipient).mailbox();
    }

    /** A copy with one recipient's state changed and the attempt recorded. */
    public QueuedMessage record(int recipient, Instant at, Courier.Result result) {
        List<RecipientState> s = new ArrayList<>(states);
        s.set(recipient, switch (result.outcome()) {
            case DELIVERED -> new RecipientState(State.DELIVERED, result.detail());
            case FAILED -> new RecipientState(State.FAILED, result.detail());
            case DEFERRED -> new RecipientState(State.PENDING, result.detail());
        });
        List<Attempt> a = new ArrayList<>(attempts);
        a.add(new Attempt(at, mailbox(recipient), result.outcome(), result.detail(), result.hop()));
        return new QueuedMessage(id, envelope, size, s, trimmed(a, mailbox(recipient)), deferrals, nextAttempt,
                delayNotified);
    }

    /**
     * The history keeps, per recipient, the first attempt (when and how it
     * began) and the last {@link #LAST_ATTEMPTS} (how it stands): a message
     * retried for five days must not grow its envelope, rewritten after each
     * round, without bound (THREATS T14). {@link #deferrals} still counts
     * every round.
     */
    public static final int LAST_ATTEMPTS = 4;

    /** {@code history} without the oldest attempt after the first for {@code rcpt} when it has too many. */
    private static List<Attempt> trimmed(List<Attempt> history, MailAddress rcpt) {
        int mine = 0;
        int secondOfMine = -1;
        for (int k = 0; k < history.size(); k++) {
            if (!history.get(k).recipient().equals(rcpt)) continue;
            if (++mine == 2) secondOfMine = k;
        }
        if (mine > 1 + LAST_ATTEMPTS) history.remove(secondOfMine);
        return history;
    }

    /** A copy scheduled for {@code when}; {@code deferrals} counts failed rounds for the backoff. */
    public QueuedMessage schedule(int deferrals, Instant when) {
        return new QueuedMessage(id, envelope, size, states, attempts, deferrals, when, delayNotified);
    }

    /** A copy marked as having had its delay notice (RFC 3464 "delayed"), so it gets only one. */
    public QueuedMessage withDelayNotified() {
        return new QueuedMessage(id, envelope, size, states, attempts, deferrals, nextAttempt, true);
    }

    public enum State { PENDING, DELIVERED, FAILED }

    /** Where one recipient stands; {@code detail} is the last result text (null if never tried). */
    public record RecipientState(State state, String detail) {
        public static final RecipientState PENDING = new RecipientState(State.PENDING, null);
    }

    /** One delivery attempt for one recipient, kept for `depesche queue show` and later bounces. */
    public record Attempt(Instant at, MailAddress recipient, Courier.Outcome outcome, String detail, Courier.Hop hop) {
        public Attempt(Instant at, MailAddress recipient, Courier.Outcome outcome, String detail) {
            this(at, recipient, outcome, detail, null);
        }
    }
}
