package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.depesche.DeliverySetup;
import org.depesche.config.Config;
import org.depesche.configfile.ConfigLoader;
import org.depesche.crypto.PasswordHasher;
import org.depesche.dane.TlsaRecord;
import org.depesche.directory.FileDirectory;
import org.depesche.dns.CachingDnsResolver;
import org.depesche.dns.DnsResolvers;
import org.depesche.dns.TestDns;
import org.depesche.mail.BodyType;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.queue.Courier;
import org.depesche.queue.Envelope;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.Recipient;
import org.depesche.smtp.client.ClientTimeouts;
import org.depesche.smtp.client.SmtpClient;
import org.depesche.testsupport.ScriptedSmtpServer;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `depesche probe` as the shell runs it: DNS from the config's [dns] section, the MX on loopback. */
class ProbeCommandTest {
    static final String MX = "mx.example.org";

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A config whose resolver validates against the test hierarchy and whose MX port is the test server's. */
    private String config(TestDns dns, int smtpPort) throws Exception {
        return config(dir, dns, smtpPort);
    }

    /** The same in {@code dir}, for other tests that run `depesche probe`. */
    static String config(Path dir, TestDns dns, int smtpPort) throws IOException {
        Files.writeString(dir.resolve("root.ds"), dns.trustAnchor());
        Path file = dir.resolve("depesche.toml");
        Files.writeString(file, """
                hostname = "mx.sender.test"
                [dns]
                servers = ["127.0.0.1:%d"]
                trust_anchor = "root.ds"
                timeout = "2s"
                [delivery]
                smtp_port = %d
                """.formatted(dns.address().getPort(), smtpPort));
        return file.toString();
    }

    @Test
    void jsonCarriesTheLevelAndParses() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            CliRun r = run("probe", "--json", "--config", config(dns, server.address().getPort()), "alice@example.org");
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertThat(json.get("level").asText()).isEqualTo("plaintext");
            assertThat(json.get("summary").asText()).isEqualTo("Mail to example.org would travel in plaintext (mx.example.org).");
            assertThat(json.get("domain").asText()).isEqualTo("example.org");
            assertThat(json.get("connected").asBoolean()).isTrue();
            assertThat(json.at("/mx/0/host").asText()).isEqualTo(MX);
            assertThat(json.at("/mx/0/connections/0/starttlsOffered").asBoolean()).isFalse();
            assertThat(json.at("/mx/0/connections/0/failure").isTextual()).isTrue(); // "" without a failure, as before
            assertThat(json.at("/mx/0/connections/0/tlsFailure").isMissingNode()).isTrue();
            assertThat(json.at("/route/kind").asText()).isEqualTo("mx");
            assertThat(server.received("MAIL")).isFalse();
        }
    }

    @Test
    void theHumanReportNamesTheLevelTheMxAndItsTlsa() throws Exception {
        TestPki.Identity id = TestPki.selfSigned(MX);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id))) {
            int port = server.address().getPort();
            try (TestDns dns = TestDns.builder().signedZone("example.org").mx(10, MX).a(MX, "127.0.0.1")
                    .tlsa("_" + port + "._tcp." + MX, 3, 1, 1, TlsaRecord.of(3, 1, 1, id.certificate()).data()).start()) {
                CliRun r = run("probe", "--config", config(dns, port), "example.org");
                System.out.println(r.out()); // the README's example comes from this run
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out()).contains("Level:       DANE-verified")
                        .contains("Mail to example.org would travel DANE-verified (mx.example.org).")
                        .contains("MX 10  mx.example.org").contains("TLSA:      _" + port + "._tcp.mx.example.org found, DNSSEC secure")
                        .contains("usable").contains("auth dane-ee");
                assertThat(server.received("MAIL")).isFalse();
            }
        }
    }

    @Test
    void aCertificateNamingItsHostOnlyInTheCommonNameIsReportedAsHavingNoDnsName() throws Exception {
        TestPki.Identity id = TestPki.leafWithCommonNameOnly(TestPki.ca("Probe Test CA"), MX);
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(TestPki.serverContext(id));
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            CliRun r = run("probe", "--config", config(dns, server.address().getPort()), "example.org");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("Level:       encrypted but unverified")
                    .contains("certificate without a DNS name in subjectAltName (not PKIX-valid)")
                    .doesNotContain("certificate for ");
        }
    }

    @Test
    void forASecureSenderAnUnsignedDomainWithoutMtaStsIsUndeliverableAndNotConnectedTo() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().unsignedZone("example.org").mx(10, MX).a(MX, "127.0.0.1").start()) {
            CliRun r = run("probe", "--secure-sender", "--json", "--config", config(dns, server.address().getPort()),
                    "example.org");
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertThat(json.get("demand").asText()).isEqualTo("authenticated");
            assertThat(json.get("level").asText()).isEqualTo("undeliverable");
            assertThat(json.at("/mx/0/requirement").asText()).isEqualTo("refuse");
            assertThat(server.commands()).isEmpty();
        }
    }

    @Test
    void withoutConnectingANullMxIsUndeliverable() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer(null);
             TestDns dns = TestDns.builder().signedZone("example.org").mx(0, ".").start()) {
            CliRun r = run("probe", "--no-connect", "--config", config(dns, server.address().getPort()), "example.org");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Level:       undeliverable").contains("null MX");
            assertThat(server.commands()).isEmpty();
        }
    }

    /**
     * Issue 9: the probe built its directory without the [secure] entries of depesche.toml, so a secure
     * alias domain set there was local to delivery but probed as a remote domain. Both are now built by
     * DeliverySetup from the same config; the delivery side here is the courier `serve` builds.
     */
    @Test
    void aSecureAliasDomainSetInTheConfigIsLocalToTheProbeAsToDelivery() throws Exception {
        FileDirectory accounts = new FileDirectory(dir.resolve("data/directory.json"), Clock.systemUTC(),
                new PasswordHasher(64, 1, 1, 2, new SecureRandom()));
        accounts.addDomain("example.org");
        accounts.addUser("alice@example.org", "pw".toCharArray());
        try (TestDns dns = TestDns.builder().unsignedZone("example.org").start()) {
            String file = config(dns, 25);
            Files.writeString(Path.of(file), """
                    [[secure.domain]]
                    domain = "example.org"
                    alias = "secure.example.org"
                    """, StandardOpenOption.APPEND);

            CliRun r = run("probe", "--json", "--no-connect", "--config", file, "alice@secure.example.org");
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertThat(json.get("level").asText()).isEqualTo("local");
            assertThat(json.at("/route/kind").asText()).isEqualTo("local");

            Config c = ConfigLoader.load(Path.of(file));
            List<Integer> toLocal = new ArrayList<>();
            Courier local = (message, recipients, content) -> {
                toLocal.addAll(recipients);
                return recipients.stream().map(i -> Courier.Result.delivered("stored locally")).toList();
            };
            try (CachingDnsResolver resolver = DnsResolvers.fromConfig(c.dns(), Clock.systemUTC());
                 SmtpClient client = new SmtpClient(c.heloName(), ClientTimeouts.all(Duration.ofSeconds(5)), null,
                         Clock.systemUTC())) {
                Courier delivery = DeliverySetup.of(c, FileDirectory.of(c, Clock.systemUTC()), resolver, new Random(0),
                        Clock.systemUTC()).courier(local, client, Clock.systemUTC());
                MailAddress alice = MailAddress.parse("alice@secure.example.org");
                QueuedMessage m = new QueuedMessage("id1", new Envelope(Optional.empty(), List.of(new Recipient(alice, alice)),
                        Instant.EPOCH, "cid", "127.0.0.1", TlsInfo.NONE, Optional.empty(), false, BodyType.SEVEN_BIT), 10);
                List<Courier.Result> results = delivery.deliver(m, List.of(0), () -> new ByteArrayInputStream(new byte[0]));
                assertThat(toLocal).containsExactly(0);
                assertThat(results).extracting(Courier.Result::outcome).containsExactly(Courier.Outcome.DELIVERED);
            }
        }
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        try (TestDns dns = TestDns.builder().unsignedZone("example.org").start()) {
            String config = config(dns, 25);
            CliRun r = run("probe", "--config", config, "not a domain");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("depesche: ").doesNotContain("\n");
            assertThat(run("probe", "--config", config, "alice@[192.0.2.1]").code()).isEqualTo(2);
            assertThat(run("probe", "--config", config).code()).isEqualTo(2);
        }
    }
}
