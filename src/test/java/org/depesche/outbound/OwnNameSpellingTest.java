package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;

import org.depesche.dns.TestDns;
import org.depesche.queue.Courier;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 5321 5.1: this server's own host name, however the configuration
 * spells it, is recognised in the MX list DNS gives in A-labels. With a
 * U-label hostname the loop went unnoticed and the courier connected to
 * itself.
 */
class OwnNameSpellingTest {
    private static final String SELF = "mx.xn--bcher-kva.test"; // mx.bücher.test, as DNS has it

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mx.xn--bcher-kva.test", "mx.b\u00FCcher.test", "MX.B\u00DCCHER.TEST.", "mx.b\u00FCcher\u3002test",
            "MX.XN--BCHER-KVA.TEST"})
    void anMxListNamingThisServerInAnySpellingIsALoop(String ownName) throws Exception {
        try (OutboundFixture out = new OutboundFixture(dir);
             ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(TestPki.selfSigned(SELF)));
             TestDns dns = TestDns.builder().signedZone("example.org").mx(10, SELF)
                     .signedZone("xn--bcher-kva.test").a(SELF, "127.0.0.1").start()) {
            RemoteCourier courier = out.courierNamed(dns.validatingResolver(), server.address().getPort(), Set.of(ownName));
            Courier.Result r = out.deliver(courier, out.toAlice()).getFirst();
            assertThat(r.outcome()).as("%s", r.detail()).isEqualTo(Courier.Outcome.FAILED);
            assertThat(r.detail()).startsWith("5.4.6").contains("loops back to myself");
            assertThat(server.commands()).isEmpty();
        }
    }
}
