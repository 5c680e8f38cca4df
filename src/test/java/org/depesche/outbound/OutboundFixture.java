package org.depesche.outbound;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.depesche.mail.BodyType;
import org.depesche.config.Config;
import org.depesche.dane.TlsaRecord;
import org.depesche.dns.DnsResolver;
import org.depesche.policy.DowngradeMemory;
import org.depesche.policy.FileDowngradeMemory;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.Courier;
import org.depesche.queue.Envelope;
import org.depesche.queue.FileQueue;
import org.depesche.queue.Queue;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.smtp.client.ClientTimeouts;
import org.depesche.smtp.client.SmtpClient;
import org.depesche.testsupport.TestPki;

/**
 * The sending side for outbound tests: a real spool with a queued message,
 * the real SMTP client, policy engine and downgrade memory, and a
 * RemoteCourier on a given port (TestDns answers 127.0.0.x addresses, so
 * the port is the only thing that tells loopback servers apart).
 */
final class OutboundFixture implements AutoCloseable {
    static final String MX = "mx.example.org";
    static final String BODY = "From: Sender <sender@sender.test>\r\nTo: alice@example.org\r\nSubject: outbound test\r\n\r\nHello over DANE.\r\n";

    final FileQueue queue;
    final DowngradeMemory memory;
    private final SmtpClient client;

    OutboundFixture(Path dir) throws Exception {
        this(dir, TestPki.trustStore());
    }

    /** {@code pkixTrust}: the anchors for level verify. */
    OutboundFixture(Path dir, java.security.KeyStore pkixTrust) throws Exception {
        queue = new FileQueue(dir.resolve("sender-queue"), 0, Clock.systemUTC());
        memory = new FileDowngradeMemory(dir.resolve("data/policy")); // where `depesche policy` finds it with data_dir = "data"
        client = new SmtpClient("sender.test", ClientTimeouts.all(Duration.ofSeconds(20)), pkixTrust, Clock.systemUTC());
    }

    RemoteCourier courier(DnsResolver dns, int port, String level, Config.Policy... table) {
        return courier(planner(dns, port, level, table));
    }

    /** The planner such a courier delivers by, for comparing its plans with a probe's. */
    DeliveryPlanner planner(DnsResolver dns, int port, String level, Config.Policy... table) {
        Config.Delivery settings = new Config.Delivery(level, port, null, null, null, null, null, Arrays.asList(table));
        return new DeliveryPlanner(dns, new PolicyEngine(settings, memory), port, new Random(7), Set.of());
    }

    /** A courier delivering by {@code planner} with this fixture's client. */
    RemoteCourier courier(DeliveryPlanner planner) {
        return new RemoteCourier(planner, client, Clock.systemUTC());
    }

    /** A courier whose policy engine also applies the destinations' MTA-STS policies from {@code mtaSts}. */
    RemoteCourier courier(DnsResolver dns, int port, String level, org.depesche.mtasts.PolicyCache mtaSts) {
        Config.Delivery settings = new Config.Delivery(level, port, null, null, null, null, null, null);
        return courier(new DeliveryPlanner(dns, new PolicyEngine(settings, memory, mtaSts), port, new Random(7), Set.of()));
    }

    /** A courier for a sender whose own host names are {@code ownNames} (RFC 5321 5.1 loop detection). */
    RemoteCourier courierNamed(DnsResolver dns, int port, java.util.Set<String> ownNames) {
        Config.Delivery settings = new Config.Delivery("dane", port, null, null, null, null, null, List.of());
        return courier(new DeliveryPlanner(dns, new PolicyEngine(settings, memory), port, new Random(7), ownNames));
    }

    /** A courier with level dane that honours {@code TLS-Required: No} or not ([delivery] honor_tls_required_no). */
    RemoteCourier courierHonoringTlsRequiredNo(DnsResolver dns, int port, boolean honor) {
        Config.Delivery settings = new Config.Delivery("dane", port, null, null, null, null, null, List.of(), honor);
        return courier(new DeliveryPlanner(dns, new PolicyEngine(settings, memory), port, new Random(7), Set.of()));
    }

    /** The sending server's accounts, in {@code dir}/data: the local domain sender.test with {@code users}. */
    static org.depesche.directory.FileDirectory senderDirectory(Path dir, String... users) throws Exception {
        org.depesche.directory.FileDirectory d = new org.depesche.directory.FileDirectory(
                dir.resolve("data/directory.json"), Clock.systemUTC(),
                new org.depesche.crypto.PasswordHasher(64, 1, 1, 2, new java.security.SecureRandom()));
        d.addDomain("sender.test");
        for (String u : users) d.addUser(u, "pw".toCharArray());
        return d;
    }

    RemoteCourier courier(DnsResolver dns, int port) {
        return courier(dns, port, "dane");
    }

    QueuedMessage queue(String sender, String... recipients) throws IOException {
        return queue(TransportDemand.NONE, sender, recipients);
    }

    /** A message queued with what it demands of its transport, as the receiving side stores it. */
    QueuedMessage queue(TransportDemand demand, String sender, String... recipients) throws IOException {
        try (Queue.Incoming in = queue.begin()) {
            try (OutputStream out = in.content()) {
                out.write(BODY.getBytes(StandardCharsets.UTF_8));
            }
            List<Recipient> rcpts = Arrays.stream(recipients).map(MailAddress::parse).map(a -> new Recipient(a, a)).toList();
            return in.commit(new Envelope(Optional.ofNullable(sender).map(MailAddress::parse), rcpts, Instant.now(),
                    "testcid00001", "127.0.0.1", TlsInfo.NONE, Optional.empty(), false, BodyType.SEVEN_BIT)
                    .withDemand(demand));
        }
    }

    QueuedMessage toAlice() throws IOException {
        return queue("sender@sender.test", "alice@example.org");
    }

    List<Courier.Result> deliver(Courier courier, QueuedMessage m) {
        return courier.deliver(m, m.pending(), () -> queue.openContent(m.id()));
    }

    static byte[] spkiSha256(TestPki.Identity id) {
        return TlsaRecord.of(3, 1, 1, id.certificate()).data();
    }

    static String tlsaName(int port, String host) {
        return "_" + port + "._tcp." + host;
    }

    @Override
    public void close() {
        client.close();
        queue.close();
    }
}
