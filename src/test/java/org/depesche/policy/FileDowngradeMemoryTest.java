package org.depesche.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.stream.Stream;

import org.depesche.transport.Strength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@link FileDowngradeMemory}, and what only the files show: place, format, modes, leftovers. */
class FileDowngradeMemoryTest extends DowngradeMemoryContractTest {
    @TempDir
    Path data;

    @Override
    DowngradeMemory newMemory() {
        return reopened();
    }

    @Override
    DowngradeMemory reopened() {
        return new FileDowngradeMemory(data.resolve("policy"));
    }

    @Test
    void aDomainIsOneJsonFileNamedByItsKeyPrivateToTheServer() throws Exception {
        newMemory().remember("Example.ORG.", Strength.VERIFIED, MX, AT);
        Path file = data.resolve("policy/example.org.json");
        try (Stream<Path> files = Files.list(data.resolve("policy"))) {
            assertThat(files.toList()).containsExactly(file);
        }
        assertThat(Files.readString(file)).isEqualToNormalizingNewlines("""
                {
                  "domain" : "example.org",
                  "protection" : "verified",
                  "mx" : "mx.example.org",
                  "at" : "2026-11-01T10:00:00Z"
                }""");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("policy"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void theFileHoldsTheNamesItsFilesHaveAlwaysHeld() throws Exception {
        Files.createDirectories(data.resolve("policy"));
        Files.writeString(data.resolve("policy/example.org.json"),
                "{\"domain\": \"example.org\", \"protection\": \"tls\", \"mx\": \"" + MX + "\", \"at\": \"1970-01-01T00:00:00Z\"}");
        DowngradeMemory m = newMemory();
        assertThat(m.get("example.org")).get().extracting(DowngradeMemory.Entry::protection).isEqualTo(Strength.ENCRYPTED);
        assertThat(m.remember("example.org", Strength.MTA_STS_VERIFIED, MX, Instant.EPOCH)).isTrue();
        assertThat(Files.readString(data.resolve("policy/example.org.json"))).contains("\"protection\" : \"verified\"");
        m.remember("example.org", Strength.DANE_VERIFIED, MX, Instant.EPOCH);
        assertThat(Files.readString(data.resolve("policy/example.org.json"))).contains("\"protection\" : \"dane\"");
    }

    @Test
    void nothingIsWrittenBeforeTheFirstDelivery() throws Exception {
        DowngradeMemory m = newMemory();
        m.get("example.org");
        m.reset("example.org");
        assertThat(data.resolve("policy")).doesNotExist();
    }

    @Test
    void aBrokenFileIsAnErrorNamingItNotAForgottenDomain() throws Exception {
        Files.createDirectories(data.resolve("policy"));
        Files.writeString(data.resolve("policy/example.org.json"), "{\"domain\": \"example.org\", \"protection\": \"da");
        assertThatThrownBy(() -> newMemory().get("example.org")).isInstanceOf(IOException.class)
                .hasMessageContaining("unreadable downgrade memory").hasMessageContaining("example.org.json");
    }

    @Test
    void aRaisedEntryLeavesNoTemporaryFileBehind() throws Exception {
        DowngradeMemory m = newMemory();
        m.remember("example.org", Strength.ENCRYPTED, MX, AT);
        m.remember("example.org", Strength.DANE_VERIFIED, MX, AT);
        try (Stream<Path> files = Files.list(data.resolve("policy"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("example.org.json");
        }
    }
}
