package org.depesche.smtp.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import org.depesche.config.Config;
import org.depesche.config.HostPort;
import org.depesche.config.Limits;
import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.Directory;
import org.depesche.directory.DirectoryException;
import org.depesche.directory.FileDirectory;
import org.depesche.directory.MemoryDirectory;
import org.depesche.queue.FileQueue;
import org.depesche.queue.Queue;
import org.depesche.queue.QueuedMessage;
import org.depesche.store.FileRefusalStore;
import org.depesche.testsupport.ForwardingQueue;

/**
 * A real server on loopback (port 0 on all three listeners) with the real
 * file queue in a temporary directory, the in-memory directory {@link #exampleOrg} (or a
 * given one) and a self-signed certificate served by the real PEM provider. AUTH failure delays are zero so tests run fast.
 */
final class TestServer implements AutoCloseable {
    static final Limits DEFAULT_LIMITS = limits(l -> l);

    final MemoryDirectory directory = exampleOrg();
    final TestTls tls;
    final FileQueue queue;
    final SmtpServer server;

    private TestServer(Path dir, Limits limits, boolean receivedClientIp, Directory directoryInUse) throws Exception {
        this(dir, limits, receivedClientIp, directoryInUse, false);
    }

    /** The queue keeps the reserve of {@code limits}, as in Depesche; {@code diskFillsAfterMail}: see startWithFullDisk. */
    private TestServer(Path dir, Limits limits, boolean receivedClientIp, Directory directoryInUse,
                       boolean diskFillsAfterMail) throws Exception {
        tls = new TestTls(dir);
        queue = new FileQueue(dir.resolve("queue"), diskFillsAfterMail ? Long.MAX_VALUE : limits.minFreeDisk(),
                Clock.systemUTC());
        Queue served = diskFillsAfterMail ? new DiskFillsAfterMail(queue) : queue;
        HostPort any = new HostPort("127.0.0.1", 0);
        Config config = Config.builder().hostname("mx.example.org").dataDir(dir).listen(new Config.Listen(any, any, any))
                .limits(limits).submission(new Config.Submission(receivedClientIp)).log(new Config.Log("debug", true)).build();
        server = new SmtpServer(config, directoryInUse == null ? directory : directoryInUse, served,
                new FileRefusalStore(dir.resolve("refusals")), tls.provider, Clock.systemUTC(), Duration.ZERO);
        server.start();
    }

    /**
     * The in-memory directory most server tests use: local domain
     * example.org, accounts alice and bob (passwords alice-secret and
     * bob-secret), sales@ to both and postmaster@ to alice.
     */
    static MemoryDirectory exampleOrg() throws DirectoryException {
        MemoryDirectory d = new MemoryDirectory();
        d.addDomain("example.org");
        d.addUser("alice@example.org", "alice-secret".toCharArray());
        d.addUser("bob@example.org", "bob-secret".toCharArray());
        d.addAlias("sales@example.org", List.of("alice@example.org", "bob@example.org"));
        d.addAlias("postmaster@example.org", List.of("alice@example.org"));
        return d;
    }

    static TestServer start(Path dir) throws Exception {
        return new TestServer(dir, DEFAULT_LIMITS, false, null);
    }

    /** With another directory (e.g. the real FileDirectory) instead of the in-memory one. */
    static TestServer start(Path dir, Directory directory) throws Exception {
        return new TestServer(dir, DEFAULT_LIMITS, false, directory);
    }

    /**
     * The real file directory in {@code dir} with the secure-address fixture:
     * domain example.org with the secure alias domain secure.example.org,
     * accounts alice and bob, and the alias sales@ (to alice) marked secure
     * with strictness encrypt. Tests add their own switches.
     */
    static FileDirectory secureDirectory(Path dir) throws DirectoryException {
        PasswordHasher hasher = new PasswordHasher(64, 1, 1, 2, new SecureRandom());
        FileDirectory directory = new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(), hasher);
        directory.addDomain("example.org");
        directory.addUser("alice@example.org", "a".toCharArray());
        directory.addUser("bob@example.org", "b".toCharArray());
        directory.addAlias("sales@example.org", List.of("alice@example.org"));
        directory.setSecureDomain("example.org", "secure.example.org");
        directory.setSecure("sales@example.org", Directory.Strictness.ENCRYPT);
        return directory;
    }

    /**
     * With a queue that keeps more free disk in reserve than any disk has, so
     * that writing a message fails as on a full disk, but that still said it
     * had room when asked at MAIL: the disk filled up in between.
     */
    static TestServer startWithFullDisk(Path dir) throws Exception {
        return new TestServer(dir, DEFAULT_LIMITS, false, null, true);
    }

    private static final class DiskFillsAfterMail extends ForwardingQueue {
        DiskFillsAfterMail(Queue full) {
            super(full);
        }

        @Override
        public Room room(long bytes) {
            return Room.ENOUGH;
        }
    }

    static TestServer start(Path dir, Limits limits) throws Exception {
        return new TestServer(dir, limits, false, null);
    }

    static TestServer startWithClientIpInReceived(Path dir) throws Exception {
        return new TestServer(dir, DEFAULT_LIMITS, true, null);
    }

    /** Limits with short timeouts for tests, adjusted by the caller through a builder of the record's values. */
    static Limits limits(UnaryOperator<LimitsBuilder> adjust) {
        return adjust.apply(new LimitsBuilder()).build();
    }

    /** Mutable mirror of {@link Limits} so a test names only the limit it is about. */
    static final class LimitsBuilder {
        int maxConnections = 100;
        int maxConnectionsPerIp = 20;
        Duration commandTimeout = Duration.ofSeconds(20);
        Duration dataTimeout = Duration.ofSeconds(20);
        int maxCommandLine = 512;
        int maxDataLine = 1000;
        long maxMessageSize = 100_000;
        int maxRecipients = 100;
        int maxErrors = 5;
        int maxAuthFailures = 3;
        long minFreeDisk = 0;
        int junkCommandLimit = 100;
        int minDataRate = 500;
        Duration maxSessionTime = Duration.ofMinutes(10);

        Limits build() {
            return new Limits(maxConnections, maxConnectionsPerIp, commandTimeout, dataTimeout, maxCommandLine,
                    maxDataLine, maxMessageSize, maxRecipients, maxErrors, maxAuthFailures, minFreeDisk,
                    junkCommandLimit, minDataRate, maxSessionTime);
        }
    }

    InetSocketAddress mx() {
        return server.address(ListenerKind.SMTP);
    }

    InetSocketAddress submission() {
        return server.address(ListenerKind.SUBMISSION);
    }

    InetSocketAddress submissions() {
        return server.address(ListenerKind.SUBMISSIONS);
    }

    List<QueuedMessage> queued() throws IOException {
        return queue.list();
    }

    String content(QueuedMessage m) throws IOException {
        try (InputStream in = queue.openContent(m.id())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        server.close();
        queue.close();
    }
}
