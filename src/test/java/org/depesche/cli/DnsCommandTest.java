package org.depesche.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import org.depesche.directory.FileDirectory;
import org.depesche.mtasts.StsRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `depesche dns records DOMAIN` as the shell runs it. */
class DnsCommandTest {
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

    private Path config(String mode) throws Exception {
        FileDirectory directory = new FileDirectory(dir.resolve("data/directory.json"));
        if (!directory.isLocalDomain("example.org")) directory.addDomain("example.org");
        Path file = dir.resolve("depesche.toml");
        Files.writeString(file, """
                hostname = "mx.example.org"
                [mta_sts]
                listen = "127.0.0.1:8443"
                mode = "%s"
                max_age = "1d"
                """.formatted(mode));
        return file;
    }

    private static String txt(String out) {
        return out.lines().filter(l -> l.startsWith("_mta-sts.example.org. IN TXT ")).findFirst().orElseThrow()
                .replaceFirst("^_mta-sts.example.org. IN TXT \"(.*)\"$", "$1");
    }

    @Test
    void recordsPrintsTheMtaStsTxtRecordAndThePolicy() throws Exception {
        Run r = run("dns", "records", "--config", config("enforce").toString(), "example.org");
        assertThat(r.code()).isZero();
        assertThat(StsRecord.select(List.of(txt(r.out())))).isPresent();
        assertThat(r.out()).contains(";   mode: enforce").contains(";   mx: mx.example.org").contains(";   max_age: 86400")
                .contains("https://mta-sts.example.org/.well-known/mta-sts.txt");
    }

    @Test
    void theIdChangesWhenThePolicyDoes() throws Exception {
        String enforce = txt(run("dns", "records", "--config", config("enforce").toString(), "example.org").out());
        String testing = txt(run("dns", "records", "--config", config("testing").toString(), "example.org").out());
        assertThat(enforce).isNotEqualTo(testing);
    }

    @Test
    void aDomainThatIsNotLocalIsOneLineAndExitCode2() throws Exception {
        Run r = run("dns", "records", "--config", config("enforce").toString(), "other.example");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).contains("other.example is not a local domain").doesNotContain("Exception").doesNotContain("\n");
    }

    @Test
    void aBadModeInTheConfigIsOneLineAndExitCode2() throws Exception {
        Run r = run("dns", "records", "--config", config("strict").toString(), "example.org");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("mode must be enforce, testing or none").doesNotContain("Exception");
    }
}
