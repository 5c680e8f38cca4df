package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.depesche.config.Config;
import org.depesche.dns.TestDns;
import org.depesche.queue.Courier;
import org.depesche.queue.QueuedMessage;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8, finding 8: a static {@code [[delivery.policy]]} entry, the
 * downgrade memory (THREATS T10) and the per-destination key hold for every
 * spelling of a domain: with evil.test at dane-only and its zone unsigned,
 * mail to d1@evil。test (U+3002 as the dot) was delivered in plaintext.
 * The message goes through the queue as the server stores it, to a real
 * plaintext SMTP server on loopback found by real DNS.
 */
class DomainSpellingPolicyTest {
    private static final String MX = "mx.evil.test";

    @TempDir
    Path dir;

    private static TestDns unsignedEvilTest() {
        return TestDns.builder().unsignedZone("evil.test").mx(10, MX).a(MX, "127.0.0.1").start();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.test", "evil\u3002test", "evil\uFF0Etest", "evil\uFF61test", "EVIL.TEST",
            "\uFF25\uFF36\uFF29\uFF2C\uFF0E\uFF54\uFF45\uFF53\uFF54", "evil.test."})
    void aDaneOnlyEntryDefersMailToEverySpellingAndNoByteReachesThePlaintextServer(String domain) throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(null); // no STARTTLS
             TestDns dns = unsignedEvilTest()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), server.address().getPort(), "may",
                    new Config.Policy("evil.test", "dane-only", List.of()));
            QueuedMessage m = out.queue("sender@sender.test", "d1@" + domain);
            Courier.Result r = out.deliver(courier, m).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(r.detail()).contains("dane-only");
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL") || c.startsWith("RCPT"));
            assertThat(server.messages()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil\u3002test", "\uFF45\uFF56\uFF49\uFF4C\uFF61test", "EVIL\uFF0ETEST."})
    void anEntryWrittenInAnotherSpellingAppliesToTheDomain(String policyDomain) throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = unsignedEvilTest()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), server.address().getPort(), "may",
                    new Config.Policy(policyDomain, "dane-only", List.of()));
            Courier.Result r = out.deliver(courier, out.queue("sender@sender.test", "d0@evil.test")).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED);
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void withoutTheEntryTheSameMessageIsDeliveredSoTheDeferralAboveIsThePolicys() throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = unsignedEvilTest()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), server.address().getPort(), "may");
            Courier.Result r = out.deliver(courier, out.queue("sender@sender.test", "d1@evil\u3002test")).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DELIVERED);
            assertThat(server.commands()).contains("RCPT TO:<d1@evil.test>"); // the dot is '.' on the wire too
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil\u3002test", "evil\uFF0Etest", "evil\uFF61test", "EVIL.TEST", "\uFF45\uFF56\uFF49\uFF4C.test"})
    void whatTheMemoryRemembersForOneSpellingStopsADowngradeForEveryOther(String domain) throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = unsignedEvilTest()) {
            out.memory.remember("evil.test", Strength.ENCRYPTED, MX, Instant.now());
            assertThat(out.memory.get(domain)).isPresent();
            RemoteCourier courier = out.courier(dns.validatingResolver(), server.address().getPort(), "may");
            Courier.Result r = out.deliver(courier, out.queue("sender@sender.test", "d1@" + domain)).getFirst();
            assertThat(r.outcome()).isEqualTo(Courier.Outcome.DEFERRED); // THREATS T10: no STARTTLS now, TLS before
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void everySpellingCountsAgainstOneDestination() throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             TestDns dns = unsignedEvilTest()) {
            RemoteCourier courier = out.courier(dns.validatingResolver(), 25, "may");
            QueuedMessage m = out.queue("sender@sender.test", "a@evil\u3002test", "b@evil\uFF0Etest", "c@evil\uFF61test",
                    "d@EVIL.TEST", "e@\uFF45\uFF56\uFF49\uFF4C.test", "f@evil.test");
            for (int i = 0; i < 6; i++) assertThat(courier.destination(m, i)).contains("evil.test");
        }
    }
}
