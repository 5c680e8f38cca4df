package org.depesche;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;

import org.depesche.config.Config;
import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.DirectoryException;
import org.depesche.directory.FileDirectory;
import org.depesche.queue.FileQueue;
import org.depesche.queue.LocalCourier;
import org.depesche.queue.QueueRunner;
import org.depesche.smtp.server.ListenerKind;
import org.depesche.smtp.server.SmtpServer;
import org.depesche.store.MaildirStore;
import org.depesche.tls.PemTlsContextProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Depesche: every part built with its constructor from the
 * config, in the order a message meets them. {@link #start()} first takes
 * over the queue (delivering what an earlier run accepted), then opens the
 * listeners; {@link #close()} stops accepting before it stops delivering.
 */
public final class Depesche implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Depesche.class);

    private final Config config;
    private final FileDirectory directory;
    private final PemTlsContextProvider tls;
    private final FileQueue queue;
    private final QueueRunner runner;
    private final SmtpServer server;

    /**
     * Reads the directory and the TLS files and opens the queue; nothing
     * listens yet. A bad directory file is a DirectoryException, a bad
     * certificate or key a TlsConfigException (both with one-line messages).
     */
    public Depesche(Config config, Clock clock) throws IOException, DirectoryException {
        this.config = config;
        Path data = config.dataDir();
        this.directory = new FileDirectory(data.resolve("directory.json"), clock, new PasswordHasher());
        this.tls = new PemTlsContextProvider(config.tls().certificate(), config.tls().key(),
                config.tls().reloadInterval(), clock);
        this.queue = new FileQueue(data.resolve("queue"), config.limits().minFreeDisk(), clock);
        MaildirStore store = new MaildirStore(data.resolve("mail"), config.hostname(), clock);
        this.runner = new QueueRunner(queue, new LocalCourier(store), config.queue(), clock);
        this.server = new SmtpServer(config, directory, queue, tls, clock);
    }

    /** Starts delivery from the queue, then the listeners. On failure everything started is stopped again. */
    public void start() throws IOException {
        try {
            runner.start();
            server.start();
        } catch (UncheckedIOException e) {
            close();
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        log.info("event=started hostname={} data={} domains={}", config.hostname(), config.dataDir(), directory.domains());
    }

    /** The bound address of a listener, or null if it is disabled. */
    public InetSocketAddress address(ListenerKind kind) {
        return server.address(kind);
    }

    public FileDirectory directory() {
        return directory;
    }

    /** Stops accepting and closes sessions, then lets deliveries in progress finish. */
    @Override
    public void close() {
        server.close();
        runner.close();
        queue.close();
        log.info("event=stopped");
    }
}
