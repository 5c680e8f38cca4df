package org.depesche.queue;

import org.depesche.mail.BodyType;
import org.depesche.transport.Strength;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.depesche.queue.TestMessages.BODY;
import static org.depesche.queue.TestMessages.commit;
import static org.depesche.queue.TestMessages.envelope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Queue} implementation must do. A backend's test extends
 * this and says how to open its queue (again) on the same storage.
 */
abstract class QueueContractTest {
    static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path storage;

    /** Opens the queue kept in {@code storage}; called again to simulate a restart. */
    protected abstract Queue open(Path storage) throws IOException;

    /** The content of a queued message as stored. */
    protected abstract byte[] content(Queue queue, String id) throws IOException;

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
            assertThat(new String(content(q, id), StandardCharsets.UTF_8)).isEqualTo(BODY);
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
                assertThat(new String(content(q, id), StandardCharsets.UTF_8)).startsWith(BODY).endsWith("\r\n");
            }
        }
    }

    @Test
    void anUnknownIdIsNotFound() throws Exception {
        try (Queue q = open(storage)) {
            assertThat(q.get("0000000000000000")).isEmpty();
            assertThat(q.get("../../etc/passwd")).isEmpty();
        }
    }
}
