package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import org.depesche.policy.DowngradeMemory;
import org.depesche.policy.FileDowngradeMemory;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `depesche policy show|reset` as the shell runs it. */
class PolicyCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(new ByteArrayInputStream(new byte[0]), out, err, Clock.systemUTC()).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path config() throws Exception {
        return config("dane", "bank.example", "verify");
    }

    /** A depesche.toml with one [[delivery.policy]] entry, its header on line 4. */
    private Path config(String defaultLevel, String domain, String level) throws Exception {
        Path file = dir.resolve("depesche.toml");
        Files.writeString(file, """
                hostname = "mx.sender.test"
                [delivery]
                default_tls_level = "%s"
                [[delivery.policy]]
                domain = "%s"
                level = "%s"
                """.formatted(defaultLevel, domain, level));
        return file;
    }

    @Test
    void showNamesTheLevelAndWhatTheDomainWasReachedWith() throws Exception {
        Path config = config();
        new FileDowngradeMemory(dir.resolve("data/policy"))
                .remember("example.org", Strength.DANE_VERIFIED, "mx.example.org", Instant.parse("2026-11-01T10:00:00Z"));
        Run r = run("policy", "show", "--config", config.toString(), "example.org");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("TLS level:  dane").contains("Remembered: dane (reached with DANE-verified TLS via mx.example.org on 2026-11-01 10:00:00 UTC)");
        Run bank = run("policy", "show", "--config", config.toString(), "bank.example");
        assertThat(bank.out()).contains("TLS level:  verify").contains("Remembered: nothing");
    }

    @Test
    void resetForgetsTheDomainSoTheNextDeliveryMayUseLess() throws Exception {
        Path config = config();
        DowngradeMemory memory = new FileDowngradeMemory(dir.resolve("data/policy"));
        memory.remember("example.org", Strength.ENCRYPTED, "mx.example.org", Instant.now());
        Run r = run("policy", "reset", "--config", config.toString(), "example.org");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Forgot that example.org was reached with unauthenticated TLS");
        assertThat(memory.get("example.org")).isEmpty();
        assertThat(run("policy", "reset", "--config", config.toString(), "example.org").out()).contains("Nothing remembered");
    }

    @Test
    void aBadDomainIsOneLineAndExitCode2() throws Exception {
        Run r = run("policy", "show", "--config", config().toString(), "../etc");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("depesche: not a valid domain name: ../etc (an empty label, a character not allowed in a domain name)");
    }

    @Test
    void aPolicyDomainInULabelsOrWithAnAlternativeDotAppliesToEverySpellingOfIt() throws Exception {
        // Issue 8, finding 8: the table is keyed by the UTS #46 key, not by the lower-cased text.
        for (String configured : new String[] {"evil\u3002test", "\uFF25\uFF36\uFF29\uFF2C.test", "b\u00FCcher.test"}) {
            Path config = config("may", configured, "dane-only");
            String asked = configured.startsWith("b") ? "xn--bcher-kva.test" : "evil\uFF61TEST";
            Run r = run("policy", "show", "--config", config.toString(), asked);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).as("%s asked as %s", configured, asked).contains("TLS level:  dane-only");
        }
    }

    @Test
    void anInvalidPolicyDomainIsOneLineWithFileAndLineAndExitCode2() throws Exception {
        Path config = config("may", "evil\u3002\u3002test", "dane-only");
        Run r = run("policy", "show", "--config", config.toString(), "evil.test");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(config + ":5: [[delivery.policy]] domain 'evil\u3002\u3002test'"
                + " is not a valid domain name (an empty label)");
    }
}
