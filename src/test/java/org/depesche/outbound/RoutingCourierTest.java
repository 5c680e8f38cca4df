package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        RoutingCourier routing = new RoutingCourier(directoryWith("local.test"), localCourier(), (message, recipients, content) -> List.of());
        QueuedMessage m = message("bob@local.test", "carol@Remote.Example");

        assertThat(routing.destination(m, 0)).isEmpty();
        assertThat(routing.destination(m, 1)).contains("remote.example");
    }

    @Test
    void aDomainInUnicodeAndItsALabelFormAreOneDestinationForTheConcurrencyLimit() throws Exception {
        RoutingCourier routing = new RoutingCourier(directoryWith("local.test"), localCourier(), (message, recipients, content) -> List.of());
        QueuedMessage m = message("anna@Bücher.example", "bernd@xn--bcher-kva.example");

        // RFC 5890 2.3.2.1: the same domain name; a receiver must not get twice its share of workers.
        assertThat(routing.destination(m, 0)).contains("xn--bcher-kva.example");
        assertThat(routing.destination(m, 1)).contains("xn--bcher-kva.example");
    }

    @Test
    void eachRecipientGoesToTheCourierOfItsDomainAndGetsThatCouriersResult() throws Exception {
        Map<String, List<Integer>> given = new HashMap<>();
        Courier local = recording("local", given);
        Courier remote = recording("remote", given);
        RoutingCourier routing = new RoutingCourier(directoryWith("local.test"), local, remote);
        QueuedMessage m = message("carol@remote.example", "bob@local.test", "dave@Local.Test", "erin@other.example");

        List<Courier.Result> results = routing.deliver(m, List.of(0, 1, 2, 3), () -> InputStream.nullInputStream());

        assertThat(given).containsOnly(Map.entry("local", List.of(1, 2)), Map.entry("remote", List.of(0, 3)));
        assertThat(results).extracting(Courier.Result::detail).containsExactly("remote 0", "local 1", "local 2", "remote 3");
    }

    @Test
    void aRecipientWhoseCourierGaveNoResultGetsNoneRatherThanAnotherRecipientsResult() throws Exception {
        Courier silent = (message, recipients, content) -> List.of();
        RoutingCourier routing = new RoutingCourier(directoryWith("local.test"), recording("local", new HashMap<>()), silent);
        QueuedMessage m = message("bob@local.test", "carol@remote.example");

        List<Courier.Result> results = routing.deliver(m, List.of(0, 1), () -> InputStream.nullInputStream());

        assertThat(results).hasSize(2);
        assertThat(results.get(0).detail()).isEqualTo("local 0");
        assertThat(results.get(1)).isNull();
    }

    private FileDirectory directoryWith(String domain) throws Exception {
        FileDirectory directory = new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(),
                new PasswordHasher(64, 1, 1, 2, new SecureRandom()));
        directory.addDomain(domain);
        return directory;
    }

    private LocalCourier localCourier() {
        return new LocalCourier(new MaildirStore(dir.resolve("mail"), "mx.local.test", Clock.systemUTC()));
    }

    /** A courier that notes which recipients it was given and answers each with its name and index. */
    private static Courier recording(String name, Map<String, List<Integer>> given) {
        return (message, recipients, content) -> {
            given.computeIfAbsent(name, n -> new ArrayList<>()).addAll(recipients);
            return recipients.stream().map(i -> Courier.Result.delivered(name + " " + i)).toList();
        };
    }

    private static QueuedMessage message(String... recipients) {
        List<Recipient> to = Arrays.stream(recipients).map(MailAddress::parse).map(a -> new Recipient(a, a)).toList();
        return new QueuedMessage("id1", new Envelope(Optional.empty(), to, Instant.EPOCH, "cid", "127.0.0.1",
                TlsInfo.NONE, Optional.empty(), false, BodyType.SEVEN_BIT), 10);
    }
}
