package org.depesche.queue;

import org.depesche.mail.BodyType;
import org.depesche.transport.Strength;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.depesche.queue.TestMessages.BODY;
import static org.depesche.queue.TestMessages.commit;
import static org.depesche.queue.TestMessages.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Queue} implementation must do, seen only through the
 * interface. A backend's test extends this and says how to open its queue
 * (again) on the same storage; it keeps its storage-level checks (files,
 * fsync, crash leftovers) to itself.
 */
abstract class QueueContractTest {
    static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path storage;

    /** Opens the queue kept in {@code storage}; called again to simulate a restart or a second process. */
    protected abstract Queue open(Path storage) throws IOException;

    /** Opens the queue kept in {@code storage} so that it has no room: its reserve is more than it will ever have. */
    protected abstract Queue openFull(Path storage) throws IOException;

    private static String content(Queue queue, String id) throws IOException {
        try (InputStream in = queue.openContent(id)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aCommittedMessageIsFoundAfterReopeningWithItsEnvelopeAndContent() throws Exception {
        Envelope env = envelope(T0, "alice@example.org", "bob@example.com", "carol@example.com");
        String id;
        try (Queue q = open(storage)) {
            QueuedMessage m = commit(q, env, BODY);
            id = m.id();
            assertThat(m.size()).isEqualTo(BODY.length());
        }
        try (Queue q = open(storage)) {
            QueuedMessage m = q.get(id).orElseThrow();
            assertThat(m.envelope()).isEqualTo(env);
            assertThat(m.size()).isEqualTo(BODY.length());
            assertThat(m.pending()).containsExactly(0, 1);
            assertThat(content(q, id)).isEqualTo(BODY);
            assertThat(q.list()).extracting(QueuedMessage::id).containsExactly(id);
        }
    }

    @Test
    void theNullSenderAndAnUnencryptedHopSurviveTheRoundTrip() throws Exception {
        Envelope env = new Envelope(java.util.Optional.empty(), envelope(T0, null, "bob@example.com").recipients(),
                T0, "cid", "198.51.100.1", org.depesche.mail.TlsInfo.NONE, java.util.Optional.of("bob@example.com"),
                true, BodyType.SEVEN_BIT);
        String id;
        try (Queue q = open(storage)) {
            id = commit(q, env, BODY).id();
        }
        try (Queue q = open(storage)) {
            assertThat(q.get(id).orElseThrow().envelope()).isEqualTo(env);
        }
    }

    @Test
    void whatAMessageDemandsOfItsTransportSurvivesTheRoundTrip() throws Exception {
        TransportDemand demand = new TransportDemand(true, true, Strength.VERIFIED,
                "the sender alice@secure.example.org is a secure address");
        Envelope env = envelope(T0, "alice@secure.example.org", "bob@example.com").withDemand(demand);
        String id;
        try (Queue q = open(storage)) {
            id = commit(q, env, BODY).id();
        }
        try (Queue q = open(storage)) {
            assertThat(q.get(id).orElseThrow().envelope().demand()).isEqualTo(demand);
        }
    }

    @Test
    void anAbortedMessageIsNotInTheQueue() throws Exception {
        try (Queue q = open(storage)) {
            Queue.Incoming in = q.begin();
            in.content().write(BODY.getBytes(StandardCharsets.UTF_8));
            in.abort();
            in.abort();
            assertThat(q.get(in.id())).isEmpty();
            assertThat(q.list()).isEmpty();
        }
    }

    @Test
    void closingAnUncommittedMessageAbortsIt() throws Exception {
        try (Queue q = open(storage)) {
            String id;
            try (Queue.Incoming in = q.begin()) {
                id = in.id();
                in.content().write(BODY.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(q.get(id)).isEmpty();
        }
    }

    @Test
    void aMessageCannotBeCommittedTwice() throws Exception {
        try (Queue q = open(storage)) {
            Queue.Incoming in = q.begin();
            in.commit(envelope(T0, "alice@example.org", "bob@example.com"));
            assertThatThrownBy(() -> in.commit(envelope(T0, "alice@example.org", "bob@example.com")))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(q.list()).hasSize(1);
        }
    }

    @Test
    void queueIdsAreUniqueAndListedOldestFirst() throws Exception {
        try (Queue q = open(storage)) {
            Set<String> ids = new HashSet<>();
            String previous = "";
            for (int i = 0; i < 20; i++) {
                String id = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
                assertThat(ids.add(id)).isTrue();
                previous = id;
                Thread.sleep(2); // ids order by the millisecond they were created in
            }
            assertThat(q.list()).hasSize(20).extracting(QueuedMessage::id).isSorted().endsWith(previous);
        }
    }

    @Test
    void messagesCommittedConcurrentlyAllLandIntact() throws Exception {
        try (Queue q = open(storage)) {
            List<Thread> writers = new ArrayList<>();
            Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 32; i++) {
                String body = BODY + "message " + i + "\r\n";
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        ids.add(commit(q, envelope(T0, "alice@example.org", "bob@example.com"), body).id());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread t : writers) t.join();
            assertThat(ids).hasSize(32);
            assertThat(q.list()).extracting(QueuedMessage::id).containsExactlyInAnyOrderElementsOf(ids);
            for (String id : ids) {
                assertThat(content(q, id)).startsWith(BODY).endsWith("\r\n");
            }
        }
    }

    @Test
    void anUnknownIdIsNotFoundAndHasNoContent() throws Exception {
        try (Queue q = open(storage)) {
            assertThat(q.get("0000000000000000")).isEmpty();
            assertThat(q.get("../../etc/passwd")).isEmpty();
            assertThatThrownBy(() -> q.openContent("0000000000000000")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void updatedStateIsWhatAReopenedQueueReads() throws Exception {
        String id;
        try (Queue q = open(storage)) {
            QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com", "carol@example.com"), BODY);
            id = m.id();
            m = m.record(0, T0.plusSeconds(1), Courier.Result.delivered("stored"))
                    .record(1, T0.plusSeconds(1), Courier.Result.deferred("mailbox locked"))
                    .schedule(1, T0.plusSeconds(61))
                    .withDelayNotified();
            q.update(m);
        }
        try (Queue q = open(storage)) {
            QueuedMessage m = q.get(id).orElseThrow();
            assertThat(m.pending()).containsExactly(1);
            assertThat(m.states().get(0).state()).isEqualTo(QueuedMessage.State.DELIVERED);
            assertThat(m.states().get(1).detail()).isEqualTo("mailbox locked");
            assertThat(m.attempts()).extracting(QueuedMessage.Attempt::outcome)
                    .containsExactly(Courier.Outcome.DELIVERED, Courier.Outcome.DEFERRED);
            assertThat(m.deferrals()).isEqualTo(1);
            assertThat(m.nextAttempt()).isEqualTo(T0.plusSeconds(61));
            assertThat(m.delayNotified()).isTrue();
            assertThat(content(q, id)).as("an update leaves the content alone").isEqualTo(BODY);
        }
    }

    @Test
    void aRemovedMessageIsNeitherListedNorReadable() throws Exception {
        try (Queue q = open(storage)) {
            String kept = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
            String id = commit(q, envelope(T0, "alice@example.org", "carol@example.com"), BODY).id();
            q.remove(id);
            assertThat(q.get(id)).isEmpty();
            assertThat(q.list()).extracting(QueuedMessage::id).containsExactly(kept);
            assertThatThrownBy(() -> q.openContent(id)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void anUpdateOfARemovedMessageFailsAndDoesNotBringItBack() throws Exception {
        try (Queue q = open(storage)) {
            QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
            q.remove(m.id());
            assertThatThrownBy(() -> q.update(m.schedule(1, T0.plusSeconds(60)))).isInstanceOf(IOException.class);
            assertThat(q.get(m.id())).isEmpty();
            assertThat(q.list()).isEmpty();
        }
    }

    @Test
    void commitListenersHearOfEachCommittedMessage() throws Exception {
        try (Queue q = open(storage)) {
            AtomicReference<QueuedMessage> heard = new AtomicReference<>();
            q.onCommit(heard::set);
            QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
            assertThat(heard.get()).isEqualTo(m);
        }
    }

    @Test
    void theLeaseHasOneHolderAtATimeAcrossQueuesOnTheSameStorage() throws Exception {
        try (Queue q = open(storage); Queue other = open(storage)) {
            Optional<Queue.Lease> first = q.tryLease();
            assertThat(first).isPresent();
            assertThat(q.tryLease()).as("the same queue again").isEmpty();
            assertThat(other.tryLease()).as("another process on the same queue").isEmpty();
            first.get().close();
            Optional<Queue.Lease> again = other.tryLease();
            assertThat(again).isPresent();
            again.get().close();
        }
    }

    @Test
    void aMessageBegunByAnEarlierHolderAndNeverCommittedIsDiscardedByTheNext() throws Exception {
        String kept;
        String begun;
        try (Queue earlier = open(storage)) {
            kept = commit(earlier, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
            Queue.Incoming in = earlier.begin(); // the process dies here: neither commit nor abort
            begun = in.id();
            in.content().write(BODY.getBytes(StandardCharsets.UTF_8));
            in.content().flush();
        }
        try (Queue q = open(storage); Queue.Lease lease = q.tryLease().orElseThrow()) {
            assertThat(q.removeLeftovers(lease)).isEqualTo(1);
            assertThat(q.get(begun)).isEmpty();
            assertThat(q.list()).extracting(QueuedMessage::id).containsExactly(kept);
            assertThat(content(q, kept)).isEqualTo(BODY);
        }
    }

    @Test
    void leftoverRemovalSparesAMessageThisQueueIsStillWriting() throws Exception {
        try (Queue q = open(storage); Queue.Lease lease = q.tryLease().orElseThrow()) {
            Queue.Incoming in = q.begin();
            in.content().write(BODY.getBytes(StandardCharsets.UTF_8));
            assertThat(q.removeLeftovers(lease)).isZero();
            QueuedMessage m = in.commit(envelope(T0, "alice@example.org", "bob@example.com"));
            assertThat(content(q, m.id())).isEqualTo(BODY);
        }
    }

    @Test
    void leftoversAreRemovedOnlyUnderAHeldLease() throws Exception {
        try (Queue q = open(storage)) {
            Queue.Lease lease = q.tryLease().orElseThrow();
            lease.close();
            assertThatThrownBy(() -> q.removeLeftovers(lease)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void controlRequestsAreTakenOnce() throws Exception {
        try (Queue cli = open(storage); Queue server = open(storage)) {
            ControlRequest retry = ControlRequest.retry("0000000000000001");
            ControlRequest delete = ControlRequest.delete("0000000000000002");
            cli.request(retry);
            cli.request(delete);
            assertThat(cli.isPending(retry)).isTrue();
            assertThat(cli.isPending(ControlRequest.delete("0000000000000001"))).as("another action, same id").isFalse();
            assertThat(server.takeRequests()).containsExactlyInAnyOrder(retry, delete);
            assertThat(server.takeRequests()).isEmpty();
            assertThat(cli.isPending(retry)).isFalse();
        }
    }

    @Test
    void aControlRequestForAMalformedIdIsRefused() throws Exception {
        try (Queue q = open(storage)) {
            assertThatThrownBy(() -> q.request(ControlRequest.delete("../runner"))).isInstanceOf(IllegalArgumentException.class);
            assertThat(q.takeRequests()).isEmpty();
        }
    }

    @Test
    void aQueueWithRoomSaysSo() throws Exception {
        try (Queue q = open(storage)) {
            assertThat(q.room(1000)).isEqualTo(Queue.Room.ENOUGH);
        }
    }

    @Test
    void aFullQueueSaysSoAndRefusesToBeginAMessage() throws Exception {
        try (Queue q = openFull(storage)) {
            assertThat(q.room(0)).isEqualTo(Queue.Room.FULL);
            assertThat(q.room(1000)).isEqualTo(Queue.Room.FULL);
            assertThatThrownBy(q::begin).isInstanceOf(QueueFullException.class);
            assertThat(q.list()).isEmpty();
        }
    }
}
