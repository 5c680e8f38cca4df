package org.depesche.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.depesche.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Delivers what is in the queue: at start everything found there (after
 * checking which deliveries already happened before a crash), then each new
 * message as soon as it is committed. Failed deliveries are retried with
 * exponential backoff from minBackoff up to maxBackoff (RFC 5321 4.5.4.1);
 * after maxLifetime the remaining recipients are given up (RFC 5321 4.5.4.1
 * "give-up time"; the bounce is made by a {@link #onDone} listener). At most
 * {@code workers} remote deliveries run at once, each on a virtual thread,
 * and at most {@code destinationConcurrency} (fewer, the config requires)
 * to one destination (as the courier names it: the recipient's domain), so
 * that a slow receiver cannot take every worker (Postfix's
 * default_destination_concurrency_limit). Deliveries that count against no
 * destination (local mailboxes) have a lane of their own with as many
 * workers: a round delivers to them first, and they never wait for a remote
 * worker, so a tarpit cannot delay local mail (THREATS T14). A round
 * takes one slot per destination it delivers to; recipients whose
 * destination is full wait for a free slot: no attempt is recorded for them,
 * the message keeps its schedule and backoff, and the message due longest
 * gets a freed slot first.
 * Decisions (which message goes, which slots it takes) are made under the
 * runner's monitor from what it holds in memory; the queue's disk, the
 * courier and the notices are used outside it, so that no commit waits for
 * a removal or a bounce.
 * While running it holds the queue's {@link Queue.Lease} and serves the
 * {@link ControlRequest}s that `depesche queue` leaves.
 */
public final class QueueRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration LEASE_WAIT = Duration.ofSeconds(5);

    private final Queue queue;
    private final Courier courier;
    private final Config.Queue settings;
    private final Clock clock;
    /** Remote deliveries: those that count against a destination. */
    private final Semaphore workers;
    /** Local deliveries (no destination): never behind a remote one. */
    private final Semaphore localLane;
    private final int destinationLimit;
    /** Every message the runner knows, by id; guarded by the runner's monitor. */
    private final Map<String, Entry> entries = new HashMap<>();
    /**
     * The entries not running, soonest due first (then oldest id): a poll
     * looks only at those due, not at every message, and a freed
     * destination slot goes to the message that has been due longest.
     * An entry's message changes only while it is out of this set.
     */
    private final TreeSet<Entry> idle = new TreeSet<>(
            Comparator.comparing((Entry e) -> e.message.nextAttempt()).thenComparing(e -> e.message.id()));
    /** Rounds running per destination; guarded by the runner's monitor. */
    private final Map<String, Integer> busy = new HashMap<>();
    private final List<Notice> doneListeners = new CopyOnWriteArrayList<>();
    private final List<Notice> delayListeners = new CopyOnWriteArrayList<>();
    private volatile Duration delayNoticeAfter;
    private ScheduledExecutorService timer;
    private ExecutorService executor;
    private Queue.Lease lease;
    private volatile boolean closed;

    public QueueRunner(Queue queue, Courier courier, Config.Queue settings, Clock clock) {
        this.queue = queue;
        this.courier = courier;
        this.settings = settings;
        this.clock = clock;
        this.workers = new Semaphore(Math.max(1, settings.workers()));
        this.localLane = new Semaphore(Math.max(1, settings.workers()));
        this.destinationLimit = Math.max(1, settings.destinationConcurrency());
    }

    /** One message the runner knows; all fields guarded by the runner's monitor. */
    private static final class Entry {
        QueuedMessage message;
        /** Where each pending recipient goes ({@link Courier#destination}), asked before the monitor is taken. */
        Map<Integer, Optional<String>> destinations;
        boolean running;
        boolean recovered;
        boolean retryRequested;
        boolean deleteRequested;

        Entry(QueuedMessage message, Map<Integer, Optional<String>> destinations, boolean recovered) {
            this.message = message;
            this.destinations = destinations;
            this.recovered = recovered;
        }
    }

    /**
     * One delivery round: the recipients it delivers to, those of them with
     * no destination (delivered on the local lane), the destination slots it
     * holds, and whether recipients were left waiting for a slot.
     */
    private record Round(List<Integer> recipients, Set<Integer> local, List<String> destinations, boolean partial) {
    }

    public void start() {
        try {
            lease = awaitLease();
            int leftovers = queue.removeLeftovers(lease);
            timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("queue-timer").factory());
            executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("queue-delivery-", 0).factory());
            // Listen before listing, so that nothing committed in between is missed (add() ignores repeats).
            queue.onCommit(m -> add(m, false));
            List<QueuedMessage> found = queue.list();
            for (QueuedMessage m : found) add(m, true);
            log.info("event=queue-started queue={} messages={} leftovers_removed={}",
                    queue, found.size(), leftovers);
            timer.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the queue in " + queue + ": " + e.getMessage(), e);
        }
    }

    private Queue.Lease awaitLease() throws IOException {
        long giveUp = System.nanoTime() + LEASE_WAIT.toNanos();
        while (true) {
            Optional<Queue.Lease> l = queue.tryLease();
            if (l.isPresent()) return l.get();
            // `depesche queue` holds it for a moment when no server runs; another server holds it for good.
            if (System.nanoTime() - giveUp > 0)
                throw new IOException("another process is delivering from this queue (it holds the runner lease)");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the runner lease");
            }
        }
    }

    /**
     * What the runner must get into the queue about a message before it may
     * forget that it owes it: a bounce, a delay notice (org.depesche.dsn).
     */
    @FunctionalInterface
    public interface Notice {
        /**
         * Returns once the notice is committed to the queue, or once it is
         * clear that none is due; throws when it could not be queued (a full
         * disk: {@link QueueFullException}), and it is asked again later.
         */
        void send(QueuedMessage message) throws IOException;
    }

    /**
     * Called with the final state of each message whose recipients are all
     * delivered or failed (where bounces for failed recipients are made). The
     * message leaves the queue only when every listener returned: while one
     * throws, the message stays, done, and is offered again every
     * min_backoff (and after a restart), so a bounce is never lost to a full
     * disk.
     */
    public void onDone(Notice listener) {
        doneListeners.add(listener);
    }

    /**
     * Called with a message that is still pending {@code after} its arrival
     * (where delay notices, RFC 3464 "delayed", are made); once every
     * listener returned, the message is marked so that it gets no second
     * one; until then each round asks again.
     */
    public void onDelayed(Duration after, Notice listener) {
        delayNoticeAfter = after;
        delayListeners.add(listener);
    }

    /** Asks for an attempt now; false if the id is not in the queue. */
    public synchronized boolean retry(String id) {
        Entry e = entries.get(id);
        if (e == null) return false;
        log.info("event=retry-requested queue_id={}", id);
        if (e.running) {
            e.retryRequested = true;
        } else {
            idle.remove(e);
            e.message = e.message.schedule(e.message.deferrals(), clock.instant());
            idle.add(e);
            dispatch(e);
        }
        return true;
    }

    /**
     * Removes a message without delivering it further; false if the id is
     * not in the queue. Decided under the monitor, removed from the queue
     * outside it: no delivery, commit or request waits for the disk.
     */
    public boolean delete(String id) {
        synchronized (this) {
            Entry e = entries.get(id);
            if (e == null) return false;
            if (e.running) {
                e.deleteRequested = true;
                return true;
            }
            entries.remove(id);
            idle.remove(e);
        }
        removeFromQueue(id, "deleted by operator");
        return true;
    }

    private void add(QueuedMessage m, boolean recovered) {
        Map<Integer, Optional<String>> destinations = destinations(m);
        synchronized (this) {
            if (closed || entries.containsKey(m.id())) return;
            Entry e = new Entry(m, destinations, recovered);
            entries.put(m.id(), e);
            idle.add(e);
            if (m.isDone() || !m.nextAttempt().isAfter(clock.instant())) dispatch(e);
        }
    }

    private void poll() {
        try {
            for (ControlRequest r : queue.takeRequests()) {
                boolean known = switch (r.action()) {
                    case RETRY -> retry(r.id());
                    case DELETE -> delete(r.id());
                };
                if (!known) log.warn("event=control-unknown-id action={} queue_id={}", r.action(), r.id());
            }
            dispatchDue();
        } catch (IOException | RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep polling.
            log.error("event=queue-poll-failed error=\"{}\"", e.toString(), e);
        }
    }

    /** Offers a round to each idle entry that is due, soonest due first; the rest are not looked at. */
    private synchronized void dispatchDue() {
        Instant now = clock.instant();
        List<Entry> due = new ArrayList<>();
        for (Entry e : idle) {
            if (e.message.nextAttempt().isAfter(now)) break;
            due.add(e);
        }
        for (Entry e : due) dispatch(e);
    }

    /**
     * Caller holds the monitor. Starts a round unless every pending recipient's
     * destination is full; then the entry stays due and not running, and
     * {@link #release} dispatches it when a slot frees.
     */
    private void dispatch(Entry e) {
        if (closed || e.running) return;
        Optional<Round> round = claim(e);
        if (round.isEmpty()) return;
        idle.remove(e);
        e.running = true;
        executor.execute(() -> work(e, round.get()));
    }

    /** Caller holds the monitor. Takes one slot per destination with room; empty if no recipient can go. */
    private Optional<Round> claim(Entry e) {
        QueuedMessage m = e.message;
        List<Integer> pending = m.pending();
        List<Integer> go = new ArrayList<>();
        Set<Integer> local = new HashSet<>();
        Set<String> taken = new LinkedHashSet<>();
        for (int i : pending) {
            Optional<String> d = e.destinations.get(i);
            if (d.isEmpty()) local.add(i);
            if (d.isPresent() && !taken.contains(d.get())) {
                if (busy.getOrDefault(d.get(), 0) >= destinationLimit) continue;
                taken.add(d.get());
                busy.merge(d.get(), 1, Integer::sum);
            }
            go.add(i);
        }
        if (go.size() < pending.size())
            log.debug("event=destination-busy queue_id={} waiting={} going={}", m.id(), pending.size() - go.size(), go.size());
        // A message with nothing pending still needs its round, to leave the queue.
        if (go.isEmpty() && !pending.isEmpty()) return Optional.empty();
        return Optional.of(new Round(go, local, List.copyOf(taken), go.size() < pending.size()));
    }

    /**
     * The destination of each pending recipient. Asked without the monitor:
     * a courier may consult the directory, which may read its file.
     */
    private Map<Integer, Optional<String>> destinations(QueuedMessage m) {
        Map<Integer, Optional<String>> d = new HashMap<>();
        for (int i : m.pending()) d.put(i, destination(m, i));
        return d;
    }

    /** A courier that cannot say counts the recipient against its domain rather than leaving it unlimited. */
    private Optional<String> destination(QueuedMessage m, int recipient) {
        try {
            return courier.destination(m, recipient);
        } catch (RuntimeException ex) {
            log.error("event=destination-unknown queue_id={} rcpt={}", m.id(), m.mailbox(recipient), ex);
            return Optional.of(m.mailbox(recipient).domain());
        }
    }

    /** Gives back a round's destination slots and hands them to messages waiting for them. */
    private synchronized void release(Round round) {
        for (String d : round.destinations()) busy.computeIfPresent(d, (k, n) -> n == 1 ? null : n - 1);
        if (!round.destinations().isEmpty()) dispatchDue();
    }

    private void work(Entry e, Round round) {
        // The connection id that brought the message in: one grep finds its whole path.
        try (MDC.MDCCloseable cid = MDC.putCloseable("cid", e.message.envelope().connectionId())) {
            if (!closed) finish(e, attempt(e, round));
        } catch (InterruptedException ex) {
            // Closing: nothing of this round is recorded, so it runs again after the restart.
            backToIdle(e);
        } catch (RuntimeException ex) {
            log.error("event=delivery-crashed queue_id={}", e.message.id(), ex);
            backToIdle(e);
        } finally {
            release(round);
        }
    }

    /**
     * One round for one message; runs without the monitor (the entry is ours
     * while running, so its message is the one the round was claimed for).
     */
    private QueuedMessage attempt(Entry e, Round round) throws InterruptedException {
        QueuedMessage m;
        boolean recovered;
        synchronized (this) {
            m = e.message;
            recovered = e.recovered;
            // Recipients left waiting are checked in the round that takes them.
            e.recovered = recovered && round.partial();
            if (e.deleteRequested) return m;
        }
        Instant at = clock.instant();
        List<Integer> pending = round.recipients();
        List<Courier.Result> results = new ArrayList<>(Collections.nCopies(pending.size(), (Courier.Result) null));
        if (recovered && !checkAlreadyDelivered(m, pending, results)) {
            synchronized (this) {
                e.recovered = true; // check again next round rather than risk a second copy
            }
        }
        List<Integer> toDeliver = new ArrayList<>();
        for (int k = 0; k < pending.size(); k++) if (results.get(k) == null) toDeliver.add(pending.get(k));
        if (!toDeliver.isEmpty()) {
            List<Courier.Result> delivered = deliverOnLanes(m, toDeliver, round.local());
            at = clock.instant();
            for (int k = 0, d = 0; k < pending.size(); k++) if (results.get(k) == null) results.set(k, delivered.get(d++));
        }
        for (int k = 0; k < pending.size(); k++) {
            int i = pending.get(k);
            Courier.Result r = results.get(k);
            m = m.record(i, at, r);
            log.info("event=delivery queue_id={} rcpt={} outcome={} detail=\"{}\"",
                    m.id(), m.mailbox(i), r.outcome().name().toLowerCase(), r.detail());
        }
        if (m.isDone()) return m;
        // Only recipients left waiting for a slot: they go when it frees, not after a backoff.
        if (round.partial() && results.stream().noneMatch(r -> r.outcome() == Courier.Outcome.DEFERRED))
            return noticeDelay(m, at);
        return noticeDelay(deferOrExpire(m, at), at);
    }

    private QueuedMessage noticeDelay(QueuedMessage m, Instant at) {
        Duration after = delayNoticeAfter;
        if (m.isDone() || m.delayNotified() || after == null || delayListeners.isEmpty()
                || at.isBefore(m.envelope().receivedAt().plus(after))) return m;
        return sent(delayListeners, m, "delayed") ? m.withDelayNotified() : m;
    }

    /**
     * Tells every listener; false if one could not queue its notice, which
     * is then asked again (with the others: a report may come twice, never
     * not at all). Runs without the monitor: a listener writes to the queue,
     * and every commit of the receive path needs the monitor ({@link #add}).
     */
    private boolean sent(List<Notice> listeners, QueuedMessage m, String kind) {
        boolean all = true;
        for (Notice l : listeners) {
            try {
                l.send(m);
            } catch (IOException ex) {
                all = false;
                log.warn("event=notice-not-queued queue_id={} kind={} error=\"{}\" retry_in={}", m.id(), kind, ex.toString(),
                        settings.minBackoff());
            } catch (RuntimeException ex) {
                all = false;
                log.error("event=notice-failed queue_id={} kind={}", m.id(), kind, ex);
            }
        }
        return all;
    }

    /**
     * Local recipients first, on their own lane, then the others on a remote
     * worker: a round's local mailboxes never wait for a remote worker or for
     * the remote part of their round. Results in the order of {@code recipients}.
     */
    private List<Courier.Result> deliverOnLanes(QueuedMessage m, List<Integer> recipients, Set<Integer> local)
            throws InterruptedException {
        Map<Integer, Courier.Result> results = new HashMap<>();
        onLane(localLane, m, recipients.stream().filter(local::contains).toList(), results);
        onLane(workers, m, recipients.stream().filter(i -> !local.contains(i)).toList(), results);
        return recipients.stream().map(results::get).toList();
    }

    private void onLane(Semaphore lane, QueuedMessage m, List<Integer> part, Map<Integer, Courier.Result> results)
            throws InterruptedException {
        if (part.isEmpty()) return;
        lane.acquire();
        try {
            List<Courier.Result> r = deliver(m, part);
            for (int k = 0; k < part.size(); k++) results.put(part.get(k), r.get(k));
        } finally {
            lane.release();
        }
    }

    /** The courier's results, one per recipient; a courier that breaks its contract defers them all. */
    private List<Courier.Result> deliver(QueuedMessage m, List<Integer> recipients) {
        try {
            List<Courier.Result> results = courier.deliver(m, recipients, () -> queue.openContent(m.id()));
            if (results.size() == recipients.size() && !results.contains(null)) return results;
            log.error("event=courier-failed queue_id={} error=\"{} results for {} recipients\"",
                    m.id(), results.size(), recipients.size());
            return recipients.stream().map(i -> Courier.Result.deferred("internal error: incomplete delivery report")).toList();
        } catch (RuntimeException ex) {
            log.error("event=courier-failed queue_id={}", m.id(), ex);
            return recipients.stream().map(i -> Courier.Result.deferred("internal error: " + ex)).toList();
        }
    }

    /**
     * After a crash the store may hold deliveries the queue did not get to
     * record: those are marked delivered instead of stored twice. A recipient
     * whose mailbox cannot be checked is deferred, not delivered blindly.
     * Fills {@code results} for the recipients it settles; false if a check failed.
     */
    private boolean checkAlreadyDelivered(QueuedMessage m, List<Integer> pending, List<Courier.Result> results) {
        boolean allChecked = true;
        for (int k = 0; k < pending.size(); k++) {
            int i = pending.get(k);
            try {
                if (courier.alreadyDelivered(m, i)) {
                    results.set(k, Courier.Result.delivered("found in mailbox after restart, not stored again"));
                    log.info("event=recovered-delivery queue_id={} rcpt={}", m.id(), m.mailbox(i));
                }
            } catch (IOException ex) {
                allChecked = false;
                results.set(k, Courier.Result.deferred("cannot check the mailbox after a restart: " + ex.getMessage()));
            }
        }
        return allChecked;
    }

    private QueuedMessage deferOrExpire(QueuedMessage m, Instant at) {
        Instant giveUp = m.envelope().receivedAt().plus(settings.maxLifetime());
        if (!at.isBefore(giveUp)) {
            String reason = "expired: not delivered within " + settings.maxLifetime();
            for (int i : m.pending()) {
                m = m.record(i, at, Courier.Result.failed(reason));
                log.warn("event=expired queue_id={} rcpt={} received_at={}", m.id(), m.mailbox(i), m.envelope().receivedAt());
            }
            return m;
        }
        int deferrals = m.deferrals() + 1;
        Instant next = at.plus(backoff(deferrals));
        // One last attempt exactly at the give-up time rather than long after it.
        return m.schedule(deferrals, next.isAfter(giveUp) ? giveUp : next);
    }

    /** minBackoff, doubling per failed round, capped at maxBackoff. */
    Duration backoff(int deferrals) {
        Duration d = settings.minBackoff();
        for (int i = 1; i < deferrals && d.compareTo(settings.maxBackoff()) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : d;
    }

    /** A round that ended without a result: the entry waits for its next turn. */
    private synchronized void backToIdle(Entry e) {
        e.running = false;
        if (entries.get(e.message.id()) == e) idle.add(e);
    }

    /**
     * Records a round's outcome. What to do is decided under the monitor;
     * the disk work (state, removal) and the notices happen outside it.
     */
    private void finish(Entry e, QueuedMessage m) {
        boolean deleted;
        synchronized (this) {
            deleted = e.deleteRequested;
            if (deleted) entries.remove(m.id());
        }
        if (deleted) {
            removeFromQueue(m.id(), "deleted by operator");
            return;
        }
        if (m.isDone()) {
            if (sent(doneListeners, m, "done")) {
                synchronized (this) {
                    entries.remove(m.id());
                }
                removeFromQueue(m.id(), "all recipients done");
                return;
            }
            // Kept, done, until its report is queued: RFC 5321 6.1, a failure is owed to the sender.
            m = m.schedule(m.deferrals(), clock.instant().plus(settings.minBackoff()));
        }
        try {
            queue.update(m);
        } catch (IOException ex) {
            // The mailbox has it; on restart the recovery check finds it rather than storing it twice.
            log.error("event=state-not-saved queue_id={} error=\"{}\"", m.id(), ex.toString());
        }
        Map<Integer, Optional<String>> destinations = destinations(m); // a changed directory counts from the next round
        synchronized (this) {
            e.message = m;
            e.destinations = destinations;
            e.running = false;
            deleted = e.deleteRequested;
            if (deleted) {
                // Asked for while the state was being saved: the round is over, so it goes now.
                entries.remove(m.id());
            } else if (e.retryRequested) {
                e.retryRequested = false;
                e.message = m.schedule(m.deferrals(), clock.instant());
                idle.add(e);
                dispatch(e);
            } else {
                idle.add(e);
            }
        }
        if (deleted) removeFromQueue(m.id(), "deleted by operator");
    }

    private void removeFromQueue(String id, String why) {
        try {
            queue.remove(id);
            log.info("event=dequeued queue_id={} reason=\"{}\"", id, why);
        } catch (IOException ex) {
            log.error("event=dequeue-failed queue_id={} error=\"{}\"", id, ex.toString());
        }
    }

    /** Ids of the messages being delivered or waiting for their next attempt. */
    public synchronized List<String> ids() {
        return new ArrayList<>(entries.keySet());
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (timer != null) timer.shutdownNow();
        if (executor != null) {
            // Let attempts in progress finish, so that their state is saved.
            executor.shutdown();
            try {
                if (!executor.awaitTermination(30, TimeUnit.SECONDS)) executor.shutdownNow();
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (lease != null) lease.close();
        lease = null;
    }
}
