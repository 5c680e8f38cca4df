package org.depesche.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.depesche.queue.TestMessages.BODY;
import static org.depesche.queue.TestMessages.commit;
import static org.depesche.queue.TestMessages.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class FileQueueTest extends QueueContractTest {

    @Override
    protected Queue open(Path storage) throws IOException {
        return new FileQueue(storage, 0, Clock.systemUTC());
    }

    @Override
    protected Queue openFull(Path storage) throws IOException {
        return new FileQueue(storage, Long.MAX_VALUE, Clock.systemUTC());
    }

    private static byte[] content(Queue queue, String id) throws IOException {
        try (InputStream in = queue.openContent(id)) {
            return in.readAllBytes();
        }
    }

    private List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("runner.lock")).toList();
        }
    }

    @Test
    void aCommittedMessageIsAContentFileAndAnEnvelopeFileInTheSpool() throws Exception {
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            String id = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
            assertThat(filesUnder(storage)).containsExactlyInAnyOrder(
                    storage.resolve("spool/" + id + ".msg"), storage.resolve("spool/" + id + ".env"));
            assertThat(Files.readString(storage.resolve("spool/" + id + ".env")))
                    .contains("\"sender\" : \"alice@example.org\"").contains("\"state\" : \"PENDING\"");
        }
    }

    @Test
    void theRunnerLockIsCreatedReadableByTheServersUserOnly() throws Exception {
        // issue 8 finding 10: a lock file others can open is a lock others can hold
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC());
             Queue.Lease lease = q.tryLease().orElseThrow()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(storage.resolve("runner.lock"))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void anEnvelopeFileWrittenBeforeTransportDemandsLoadsAsDemandingNothing() throws Exception {
        String id;
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            id = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
        }
        Path env = storage.resolve("spool/" + id + ".env");
        String written = Files.readString(env);
        assertThat(written).contains("\"demand\" : null");
        Files.writeString(env, written.replaceAll(",\\s*\"demand\" : null", ""));
        assertThat(Files.readString(env)).doesNotContain("demand");
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            assertThat(q.get(id).orElseThrow().envelope().demand()).isEqualTo(TransportDemand.NONE);
        }
    }

    @Test
    void abortLeavesNoFileBehind() throws Exception {
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            Queue.Incoming in = q.begin();
            in.content().write(BODY.getBytes(StandardCharsets.UTF_8));
            in.content().flush();
            assertThat(filesUnder(storage)).hasSize(1);
            in.abort();
            assertThat(filesUnder(storage)).isEmpty();
        }
    }

    @Test
    void uncommittedLeftoversAreDeletedAtStartButCommittedMessagesStay() throws Exception {
        String kept;
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            kept = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
        }
        // What a kill -9 leaves: a half-written message in tmp/, and content moved into spool/ without its envelope.
        Files.writeString(storage.resolve("tmp/0000000000000001.msg"), "half a mess");
        Files.writeString(storage.resolve("tmp/0000000000000002.env"), "{");
        Files.writeString(storage.resolve("spool/0000000000000003.msg"), BODY);
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC()); Queue.Lease lease = q.tryLease().orElseThrow()) {
            assertThat(q.removeLeftovers(lease)).isEqualTo(3);
            assertThat(filesUnder(storage)).containsExactlyInAnyOrder(
                    storage.resolve("spool/" + kept + ".msg"), storage.resolve("spool/" + kept + ".env"));
            assertThat(q.list()).extracting(QueuedMessage::id).containsExactly(kept);
        }
    }

    @Test
    void anUnreadableEnvelopeIsMovedAsideNotDeleted() throws Exception {
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            String id = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
            Files.writeString(storage.resolve("spool/" + id + ".env"), "{ not json");
            assertThat(q.list()).isEmpty();
            assertThat(storage.resolve("spool/" + id + ".msg")).as("a reader changes nothing").exists();
            try (Queue.Lease lease = q.tryLease().orElseThrow()) {
                q.removeLeftovers(lease);
            }
            assertThat(storage.resolve("spool")).isEmptyDirectory();
            assertThat(storage.resolve("corrupt/" + id + ".msg")).hasContent(BODY);
            assertThat(storage.resolve("corrupt/" + id + ".env")).exists();
        }
    }

    @Test
    void beginBelowTheDiskReserveIsRefusedAsQueueFull() throws Exception {
        try (FileQueue q = new FileQueue(storage, Long.MAX_VALUE, Clock.systemUTC())) {
            assertThatThrownBy(q::begin).isInstanceOf(QueueFullException.class).hasMessageContaining("reserve");
            assertThat(filesUnder(storage)).isEmpty();
        }
    }

    @Test
    void commitThatWouldEatIntoTheDiskReserveFailsAsQueueFullAndLeavesNoFile() throws Exception {
        // Reserve: all but 64 MiB of what is free now; the message then writes 128 MiB.
        long reserve = Files.getFileStore(storage).getUsableSpace() - 64L * 1024 * 1024;
        try (FileQueue q = new FileQueue(storage, reserve, Clock.systemUTC())) {
            Queue.Incoming in = q.begin();
            byte[] chunk = new byte[1024 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            OutputStream out = in.content();
            for (int i = 0; i < 128; i++) out.write(chunk);
            assertThatThrownBy(() -> in.commit(envelope(T0, "alice@example.org", "bob@example.com")))
                    .isInstanceOf(QueueFullException.class);
            assertThat(filesUnder(storage)).isEmpty();
            assertThat(q.list()).isEmpty();
        }
    }

    @Test
    void noSpaceLeftOnDeviceBecomesQueueFull() {
        IOException full = FileQueue.diskFull(new IOException("No space left on device"));
        assertThat(full).isInstanceOf(QueueFullException.class).hasCause(new IOException("No space left on device"));
        assertThat(FileQueue.diskFull(new IOException("Permission denied"))).isNotInstanceOf(QueueFullException.class);
    }

    @Test
    void anUpdateReplacesTheEnvelopeAndLeavesNothingInTmp() throws Exception {
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            QueuedMessage m = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY);
            q.update(m.record(0, T0.plusSeconds(1), Courier.Result.deferred("mailbox locked")).schedule(1, T0.plusSeconds(61)));
            assertThat(Files.readString(storage.resolve("spool/" + m.id() + ".env"))).contains("mailbox locked");
            assertThat(filesUnder(storage.resolve("tmp"))).isEmpty();
        }
    }

    @Test
    void removeDeletesContentAndEnvelope() throws Exception {
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            String id = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
            q.remove(id);
            assertThat(q.get(id)).isEmpty();
            assertThat(filesUnder(storage)).isEmpty();
        }
    }

    @Test
    void controlRequestsAreFilesAndMalformedOnesAreIgnored() throws Exception {
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            q.request(ControlRequest.retry("0000000000000001"));
            assertThat(storage.resolve("control/retry.0000000000000001")).exists();
            Files.writeString(storage.resolve("control/delete.junk"), "");
            Files.writeString(storage.resolve("control/frobnicate.0000000000000003"), "");
            assertThat(q.takeRequests()).containsExactly(ControlRequest.retry("0000000000000001"));
            assertThat(storage.resolve("control")).isEmptyDirectory();
        }
    }

    @Test
    void roomIsWhatIsFreeBeyondTheReserve() throws Exception {
        // Reserve: all but 64 MiB of what is free now.
        long reserve = Files.getFileStore(storage).getUsableSpace() - 64L * 1024 * 1024;
        try (FileQueue q = new FileQueue(storage, reserve, Clock.systemUTC())) {
            assertThat(q.room(1024 * 1024)).isEqualTo(Queue.Room.ENOUGH);
            assertThat(q.room(128L * 1024 * 1024)).isEqualTo(Queue.Room.FULL);
        }
    }

    @Test
    void whatIsWrittenIsTheFormatOfThePreviousVersionFieldForField() throws Exception {
        byte[] previous;
        try (InputStream in = getClass().getResourceAsStream("spool-v1.env")) {
            previous = in.readAllBytes();
        }
        SpoolCodec codec = new SpoolCodec();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        // Flat, the same names and values: a server of the previous version reads what this one writes.
        assertThat(json.readTree(codec.encode(codec.decode(previous)))).isEqualTo(json.readTree(previous));
    }

    @Test
    void anEnvelopeFileOfThePreviousVersionLoads() throws Exception {
        // Written by the codec before its records were grouped: every field a message can have.
        String id = "0ab1cd2ef3gh4jk5";
        try (InputStream in = getClass().getResourceAsStream("spool-v1.env")) {
            Files.createDirectories(storage.resolve("spool"));
            Files.write(storage.resolve("spool/" + id + ".env"), in.readAllBytes());
        }
        Files.writeString(storage.resolve("spool/" + id + ".msg"), BODY);
        try (FileQueue q = new FileQueue(storage, 0, Clock.systemUTC())) {
            QueuedMessage m = q.get(id).orElseThrow();
            Envelope e = m.envelope();
            assertThat(m.size()).isEqualTo(1234);
            assertThat(e.sender()).contains(org.depesche.mail.MailAddress.parse("alice@example.org"));
            assertThat(e.recipients()).extracting(r -> r.original() + ">" + r.mailbox()).containsExactly(
                    "sales@example.com>bob@example.com", "carol@remote.example>carol@remote.example",
                    "dave@remote.example>dave@remote.example");
            assertThat(e.receivedAt()).isEqualTo(T0);
            assertThat(e.connectionId()).isEqualTo("cid123456789");
            assertThat(e.peerAddress()).isEqualTo("192.0.2.7");
            assertThat(e.tls()).isEqualTo(new org.depesche.mail.TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
            assertThat(e.authenticatedUser()).contains("alice@example.org");
            assertThat(e.smtpUtf8()).isTrue();
            assertThat(e.bodyType()).isEqualTo(org.depesche.mail.BodyType.EIGHT_BIT_MIME);
            assertThat(e.demand()).isEqualTo(new TransportDemand(true, false, org.depesche.transport.Strength.VERIFIED,
                    "the sender alice@example.org is a secure address"));
            assertThat(m.states()).extracting(QueuedMessage.RecipientState::state).containsExactly(
                    QueuedMessage.State.DELIVERED, QueuedMessage.State.PENDING, QueuedMessage.State.FAILED);
            assertThat(m.states().get(1).detail()).isEqualTo("451 4.7.0 try later");
            assertThat(m.attempts()).extracting(QueuedMessage.Attempt::outcome).containsExactly(
                    Courier.Outcome.DELIVERED, Courier.Outcome.DEFERRED, Courier.Outcome.FAILED);
            assertThat(m.attempts().get(1).at()).isEqualTo(T0.plusSeconds(2));
            assertThat(m.attempts().get(1).hop().mx()).isEqualTo("mx1.remote.example");
            assertThat(m.attempts().get(1).hop().authentication()).isEqualTo("dane");
            assertThat(m.attempts().getFirst().hop()).isNull();
            assertThat(m.deferrals()).isEqualTo(1);
            assertThat(m.nextAttempt()).isEqualTo(T0.plusSeconds(62));
            assertThat(m.delayNotified()).isTrue();
        }
    }

    @Test
    void queuedMailAndTheSpoolAreAccessibleOnlyToTheOwner() throws Exception {
        try (FileQueue q = new FileQueue(storage.resolve("new-queue"), 0, Clock.systemUTC())) {
            Queue.Incoming in = q.begin();
            assertThat(Files.getPosixFilePermissions(storage.resolve("new-queue/tmp/" + in.id() + ".msg")))
                    .as("message being received").isEqualTo(PosixFilePermissions.fromString("rw-------"));
            in.abort();
            String id = commit(q, envelope(T0, "alice@example.org", "bob@example.com"), BODY).id();
            q.update(q.get(id).orElseThrow());
            for (String f : List.of("spool/" + id + ".msg", "spool/" + id + ".env")) {
                assertThat(Files.getPosixFilePermissions(storage.resolve("new-queue/" + f))).as("mode of %s", f)
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
            for (String d : List.of("", "tmp", "spool", "control")) {
                assertThat(Files.getPosixFilePermissions(storage.resolve("new-queue/" + d))).as("mode of %s", d)
                        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            }
        }
    }
}
