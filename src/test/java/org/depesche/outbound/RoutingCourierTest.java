package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.FileDirectory;
import org.depesche.queue.Courier;
import org.depesche.queue.Envelope;
import org.depesche.queue.LocalCourier;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.store.MaildirStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingCourierTest {
    @TempDir
    Path dir;

    @Test
    void localMailboxesAreNoDestinationForTheConcurrencyLimitAndRemoteDomainsCountInLowerCase() throws Exception {
        FileDirectory directory = new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(),
                new PasswordHasher(64, 1, 1, 2, new SecureRandom()));
        directory.addDomain("local.test");
        Courier remote = (message, recipients, content) -> List.of();
        RoutingCourier routing = new RoutingCourier(directory,
                new LocalCourier(new MaildirStore(dir.resolve("mail"), "mx.local.test", Clock.systemUTC())), remote);
        List<Recipient> to = List.of("bob@local.test", "carol@Remote.Example").stream()
                .map(MailAddress::parse).map(a -> new Recipient(a, a)).toList();
        QueuedMessage m = new QueuedMessage("id1", new Envelope(Optional.empty(), to, Instant.EPOCH, "cid", "127.0.0.1",
                TlsInfo.NONE, Optional.empty(), false, BodyType.SEVEN_BIT), 10);

        assertThat(routing.destination(m, 0)).isEmpty();
        assertThat(routing.destination(m, 1)).contains("remote.example");
    }

    @Test
    void aDomainInUnicodeAndItsALabelFormAreOneDestinationForTheConcurrencyLimit() {
        Courier remote = (message, recipients, content) -> List.of();
        List<Recipient> to = List.of("anna@Bücher.example", "bernd@xn--bcher-kva.example").stream()
                .map(MailAddress::parse).map(a -> new Recipient(a, a)).toList();
        QueuedMessage m = new QueuedMessage("id1", new Envelope(Optional.empty(), to, Instant.EPOCH, "cid", "127.0.0.1",
                TlsInfo.NONE, Optional.empty(), true, BodyType.SEVEN_BIT), 10);

        // RFC 5890 2.3.2.1: the same domain name; a receiver must not get twice its share of workers.
        assertThat(remote.destination(m, 0)).contains("xn--bcher-kva.example");
        assertThat(remote.destination(m, 1)).contains("xn--bcher-kva.example");
    }
}
