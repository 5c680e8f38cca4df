package org.depesche;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;

import org.depesche.config.Config;
import org.depesche.directory.DirectoryException;
import org.depesche.directory.FileDirectory;
import org.depesche.dns.CachingDnsResolver;
import org.depesche.dns.DnsResolvers;
import org.depesche.dsn.Bouncer;
import org.depesche.queue.FileQueue;
import org.depesche.queue.Queue;
import org.depesche.queue.LocalCourier;
import org.depesche.queue.QueueRunner;
import org.depesche.smtp.client.ClientTimeouts;
import org.depesche.smtp.client.SmtpClient;
import org.depesche.smtp.server.ListenerKind;
import org.depesche.smtp.server.SmtpServer;
import org.depesche.store.FileRefusalStore;
import org.depesche.store.MaildirStore;
import org.depesche.tls.PemTlsContextProvider;
import org.depesche.mtasts.MtaStsServer;
import org.depesche.mtasts.PolicyRefresher;
import org.depesche.mtasts.PublishedPolicy;
import org.depesche.config.HostPort;
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
    private final Queue queue;
    private final CachingDnsResolver dns;
    private final SmtpClient client;
    private final QueueRunner runner;
    private final SmtpServer server;
    private final MtaStsServer mtaSts;
    private final PolicyRefresher mtaStsRefresher;

    /**
     * Reads the directory and the TLS files and opens the queue; nothing
     * listens yet. A bad directory file is a DirectoryException, a bad
     * certificate or key a TlsConfigException (both with one-line messages).
     */
    public Depesche(Config config, Clock clock) throws IOException, DirectoryException {
        this.config = config;
        Path data = config.dataDir();
        this.directory = FileDirectory.of(config, clock);
        this.tls = new PemTlsContextProvider(config.tls().certificate(), config.tls().key(),
                config.tls().reloadInterval(), clock);
        // Before the queue is opened: a bad trust anchor is an IllegalArgumentException with one clear line.
        this.dns = DnsResolvers.fromConfig(config.dns(), clock);
        this.queue = new FileQueue(data.resolve("queue"), config.limits().minFreeDisk(), clock);
        MaildirStore store = new MaildirStore(data.resolve("mail"), config.hostname(), clock);
        Config.Delivery out = config.delivery();
        try {
            this.client = new SmtpClient(config.heloName(), timeouts(out), null, clock);
        } catch (java.security.GeneralSecurityException e) {
            dns.close();
            queue.close();
            throw new IOException("cannot set up TLS for outbound delivery: " + e.getMessage(), e);
        }
        DeliverySetup delivery;
        try {
            delivery = DeliverySetup.of(config, directory, dns, new java.security.SecureRandom(), clock);
        } catch (IOException e) {
            client.close();
            dns.close();
            queue.close();
            throw e;
        }
        this.mtaStsRefresher = new PolicyRefresher(delivery.mtaSts(), PolicyRefresher.INTERVAL, PolicyRefresher.AHEAD);
        this.runner = new QueueRunner(queue, delivery.courier(new LocalCourier(store), client, clock), config.queue(), clock);
        new Bouncer(queue, directory, config.hostname(), config.queue().maxLifetime(), clock)
                .attach(runner, out.delayNoticeAfter());
        this.server = new SmtpServer(config, directory, queue, new FileRefusalStore(data.resolve("refusals")), tls, clock);
        this.mtaSts = config.mtaSts().listen().isBlank() ? null : new MtaStsServer(HostPort.parse(config.mtaSts().listen()),
                PublishedPolicy.from(config), directory::isLocalDomain, tls);
    }

    /** connect_timeout, command_timeout for every command phase, data_timeout for the content and the final reply. */
    static ClientTimeouts timeouts(Config.Delivery d) {
        return new ClientTimeouts(d.connectTimeout(), ClientTimeouts.Replies.all(d.commandTimeout()),
                ClientTimeouts.Content.all(d.dataTimeout()));
    }

    /** Starts delivery from the queue, then the listeners. On failure everything started is stopped again. */
    public void start() throws IOException {
        try {
            runner.start();
            mtaStsRefresher.start();
            server.start();
            if (mtaSts != null) mtaSts.start();
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

    /** The bound address of the MTA-STS policy listener, or null if [mta_sts] listen is empty. */
    public InetSocketAddress mtaStsAddress() {
        return mtaSts == null ? null : mtaSts.address();
    }

    public FileDirectory directory() {
        return directory;
    }

    /** Stops accepting and closes sessions, then lets deliveries in progress finish. */
    @Override
    public void close() {
        if (mtaSts != null) mtaSts.close();
        server.close();
        runner.close();
        mtaStsRefresher.close();
        client.close();
        dns.close();
        queue.close();
        log.info("event=stopped");
    }
}
