package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.depesche.dane.TlsaRecord;
import org.depesche.dns.TestDns;
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
