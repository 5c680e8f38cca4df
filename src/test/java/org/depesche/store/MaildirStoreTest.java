package org.depesche.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@link MaildirStore}, and what only the Maildir shows: paths, names, line ends, modes, tmp/. */
class MaildirStoreTest extends MailboxStoreContractTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path root;

    /** Fixed: every delivery of a test falls in the same second, so names differ by their key alone. */
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Override
    MailboxStore store() {
        return new MaildirStore(root, "mx.example.com", clock);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void aDeliveredMessageLandsInNewWithADovecotNameAndLfLineEnds() throws Exception {
        MaildirStore store = new MaildirStore(root, "mx.example.com", clock);
        String message = "Subject: hi\r\n\r\nline one\r\nline two\r\n";
        store.deliver(BOB, "abc-0", crlf(message));

        Path maildir = root.resolve("example.com/bob");
        assertThat(maildir.resolve("tmp")).isEmptyDirectory();
        assertThat(maildir.resolve("cur")).isEmptyDirectory();
        List<Path> delivered = files(maildir.resolve("new"));
        assertThat(delivered).hasSize(1);
        String stored = "Subject: hi\n\nline one\nline two\n";
        assertThat(delivered.getFirst().getFileName().toString()).isEqualTo(
                NOW.getEpochSecond() + ".abc-0.mx.example.com,S=" + stored.length() + ",W=" + message.length());
        assertThat(Files.readString(delivered.getFirst())).isEqualTo(stored);
    }

    @Test
    void aLoneCarriageReturnIsKeptAndCountedOnce() throws Exception {
        MaildirStore store = new MaildirStore(root, "mx", clock);
        store.deliver(BOB, "k1", crlf("a\rb\r\nc\r"));
        Path file = files(root.resolve("example.com/bob/new")).getFirst();
        assertThat(Files.readString(file)).isEqualTo("a\rb\nc\r");
        assertThat(file.getFileName().toString()).endsWith(",S=6,W=7");
    }

    @Test
    void twoMailboxesGetTheirOwnMaildirs() throws Exception {
        MaildirStore store = new MaildirStore(root, "mx", clock);
        store.deliver(BOB, "k-0", crlf("x\r\n"));
        store.deliver(MailAddress.parse("carol@example.org"), "k-1", crlf("x\r\n"));
        assertThat(files(root.resolve("example.com/bob/new"))).hasSize(1);
        assertThat(files(root.resolve("example.org/carol/new"))).hasSize(1);
    }

    @Test
    void containsFindsADeliveryByKeyInNewAndInCurButNotASimilarKey() throws Exception {
        MaildirStore store = new MaildirStore(root, "mx", clock);
        assertThat(store.contains(BOB, "q1-1")).isFalse();
        store.deliver(BOB, "q1-1", crlf("x\r\n"));
        assertThat(store.contains(BOB, "q1-1")).isTrue();
        assertThat(store.contains(BOB, "q1-10")).isFalse();
        assertThat(store.contains(BOB, "q1")).isFalse();

        // A client read it: Dovecot moves it to cur/ and appends the flags.
        Path maildir = root.resolve("example.com/bob");
        Path file = files(maildir.resolve("new")).getFirst();
        Files.move(file, maildir.resolve("cur").resolve(file.getFileName() + ":2,S"));
        assertThat(store.contains(BOB, "q1-1")).isTrue();
        assertThat(readBack(store, BOB, "q1-1")).isEqualTo("x\r\n");
    }

    @Test
    void messagesDeliveredInOneSecondGetNamesThatDifferByTheirKey() throws Exception {
        MailboxStore store = store();
        store.deliver(BOB, "q1-0", crlf("x\r\n"));
        store.deliver(BOB, "q1-1", crlf("x\r\n"));
        store.deliver(BOB, "q2-0", crlf("x\r\n"));
        assertThat(files(root.resolve("example.com/bob/new"))).extracting(f -> f.getFileName().toString())
                .containsExactlyInAnyOrder(NOW.getEpochSecond() + ".q1-0.mx.example.com,S=2,W=3",
                        NOW.getEpochSecond() + ".q1-1.mx.example.com,S=2,W=3", NOW.getEpochSecond() + ".q2-0.mx.example.com,S=2,W=3");
    }

    /** A crash after tmp/ was written but before the rename: not a delivery, and the runner's next attempt stores it. */
    @Test
    void aFileLeftInTmpByACrashIsNoDeliveryAndTheNextAttemptStoresTheMessage() throws Exception {
        Path tmp = root.resolve("example.com/bob/tmp");
        Files.createDirectories(tmp);
        Files.createDirectories(root.resolve("example.com/bob/new"));
        Files.writeString(tmp.resolve(NOW.getEpochSecond() + ".k-0.mx.example.com"), "Subject: cut sh");
        Files.writeString(tmp.resolve((NOW.getEpochSecond() - 3600) + ".k-0.mx.example.com"), "an hour older");
        MailboxStore store = store();
        assertThat(store.contains(BOB, "k-0")).isFalse();
        assertThat(store.open(BOB, "k-0")).isEmpty();

        store.deliver(BOB, "k-0", crlf(MESSAGE));
        assertThat(readBack(store, BOB, "k-0")).isEqualTo(MESSAGE);
        assertThat(files(root.resolve("example.com/bob/new"))).hasSize(1);
        // The same-named leftover was overwritten and renamed; the older one is left for the Maildir reader to remove.
        assertThat(files(tmp)).extracting(f -> f.getFileName().toString())
                .containsExactly((NOW.getEpochSecond() - 3600) + ".k-0.mx.example.com");
    }

    @Test
    void aHostNameWithSlashOrColonIsEscapedAsMaildirAsks() throws Exception {
        MaildirStore store = new MaildirStore(root, "a/b:c", clock);
        store.deliver(BOB, "k", crlf("x\r\n"));
        assertThat(files(root.resolve("example.com/bob/new")).getFirst().getFileName().toString())
                .startsWith(NOW.getEpochSecond() + ".k.a\\057b\\072c,S=");
    }

    @Test
    void anAddressThatWouldLeaveTheMailRootIsRefused() {
        MaildirStore store = new MaildirStore(root, "mx", clock);
        assertThatThrownBy(() -> store.deliver(new MailAddress("../../etc", "example.com"), "k", crlf("x\r\n")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.deliver(new MailAddress("a/b", "example.com"), "k", crlf("x\r\n")))
                .isInstanceOf(IllegalArgumentException.class);
        for (String[] hostile : new String[][] {{"..", "example.com"}, {".", "example.com"}, {".hidden", "example.com"},
                {"a\\b", "example.com"}, {"a\0b", "example.com"}, {"bob", ".."}, {"bob", "a/../../b"}, {"bob", "/etc"}}) {
            assertThatThrownBy(() -> store.deliver(new MailAddress(hostile[0], hostile[1]), "k", crlf("x\r\n")))
                    .as("%s@%s", hostile[0], hostile[1]).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void aFailedDeliveryLeavesNothingInTmpOrNew() throws Exception {
        MaildirStore store = new MaildirStore(root, "mx", clock);
        java.io.InputStream failing = new java.io.InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("queue file unreadable");
            }
        };
        assertThatThrownBy(() -> store.deliver(BOB, "k", failing)).isInstanceOf(IOException.class);
        assertThat(root.resolve("example.com/bob/tmp")).isEmptyDirectory();
        assertThat(root.resolve("example.com/bob/new")).isEmptyDirectory();
    }

    @Test
    void deliveredMailAndTheMaildirAreAccessibleOnlyToTheOwner() throws Exception {
        MaildirStore store = new MaildirStore(root, "mx", clock);
        store.deliver(BOB, "k1", crlf("Subject: private\r\n\r\nsecret\r\n"));

        Path maildir = root.resolve("example.com/bob");
        assertThat(Files.getPosixFilePermissions(files(maildir.resolve("new")).getFirst()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        for (Path d : List.of(root.resolve("example.com"), maildir, maildir.resolve("new"), maildir.resolve("cur"),
                maildir.resolve("tmp"))) {
            assertThat(Files.getPosixFilePermissions(d)).as("mode of %s", d)
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }
}
