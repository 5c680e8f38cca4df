package org.depesche.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.depesche.config.Config;
import org.depesche.config.HostPort;
import org.depesche.directory.Directory;
import org.depesche.directory.DirectoryException;
import org.depesche.directory.MemoryDirectory;
import org.depesche.queue.FileQueue;
import org.depesche.queue.QueuedMessage;
import org.depesche.smtp.server.ListenerKind;
import org.depesche.smtp.server.SmtpServer;
import org.depesche.store.FileRefusalStore;
import org.depesche.tls.PemTlsContextProvider;

/**
 * Depesche's own SMTP server as a receiving MX on loopback: the real
 * {@link SmtpServer}, {@link FileQueue} and {@link PemTlsContextProvider}
 * serving the given identity's chain. Local domain example.org with the
 * accounts alice, bob and carol; everything else is refused as relaying.
 */
public final class DepescheMx implements AutoCloseable {
    private static final List<String> ACCOUNTS = List.of("alice", "bob", "carol");
    private final FileQueue queue;
    private final SmtpServer server;

    private DepescheMx(Path dir, TestPki.Identity identity) throws Exception {
        Path cert = dir.resolve("tls/cert.pem");
        Path key = dir.resolve("tls/key.pem");
        TestPki.writePem(identity, cert, key);
        PemTlsContextProvider tls = new PemTlsContextProvider(cert, key, Duration.ofSeconds(10), Clock.systemUTC());
        queue = new FileQueue(dir.resolve("queue"), 0, Clock.systemUTC());
        HostPort any = new HostPort("127.0.0.1", 0);
        Config config = Config.builder().hostname("mx.example.org").dataDir(dir).listen(new Config.Listen(any, any, any))
                .log(new Config.Log("debug", true)).build();
        server = new SmtpServer(config, exampleOrg(), queue, new FileRefusalStore(dir.resolve("refusals")), tls,
                Clock.systemUTC());
        server.start();
    }

    /** Starts a server in {@code dir} presenting {@code identity} on STARTTLS. */
    public static DepescheMx start(Path dir, TestPki.Identity identity) throws Exception {
        return new DepescheMx(dir, identity);
    }

    public InetSocketAddress address() {
        return server.address(ListenerKind.SMTP);
    }

    public List<QueuedMessage> queued() throws IOException {
        return queue.list();
    }

    /** The queued content exactly as stored (RFC 5322, CRLF). */
    public String content(QueuedMessage m) throws IOException {
        try (InputStream in = queue.openContent(m.id())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        server.close();
        queue.close();
    }

    /** example.org with the accounts alice, bob and carol. */
    private static Directory exampleOrg() throws DirectoryException {
        MemoryDirectory d = new MemoryDirectory();
        d.addDomain("example.org");
        for (String account : ACCOUNTS) d.addUser(account + "@example.org", "pw".toCharArray());
        return d;
    }
}
