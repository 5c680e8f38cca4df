package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@link FilePolicyStore}, and what only the files show: place, format, modes, leftovers. */
class FilePolicyStoreTest extends PolicyStoreContractTest {
    @TempDir
    Path data;

    @Override
    PolicyStore newStore() {
        return reopened();
    }

    @Override
    PolicyStore reopened() {
        return new FilePolicyStore(data.resolve("mta-sts"));
    }

    private Stream<String> names() throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("mta-sts"))) {
            return files.map(f -> f.getFileName().toString()).toList().stream();
        }
    }

    @Test
    void aDomainIsOneJsonFileNamedByItsKeyWithThePolicyAsFetchedPrivateToTheServer() throws Exception {
        newStore().put(entry("example.org", "20261128", "enforce", 86400));
        Path file = data.resolve("mta-sts/example.org.json");
        assertThat(names()).containsExactly("example.org.json");
        assertThat(Files.readString(file)).isEqualToNormalizingNewlines("""
                {
                  "domain" : "example.org",
                  "id" : "20261128",
                  "policy" : "version: STSv1\\r\\nmode: enforce\\r\\nmx: mx.example.org\\r\\nmx: *.backup.example.org\\r\\nmax_age: 86400\\r\\n",
                  "fetched" : "2026-11-28T12:00:00Z"
                }""");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("mta-sts"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void nothingIsWrittenBeforeTheFirstPolicy() throws Exception {
        PolicyStore store = newStore();
        store.get("example.org");
        store.all();
        assertThat(data.resolve("mta-sts")).doesNotExist();
    }

    @Test
    void aReplacedEntryLeavesNoTemporaryFileBehind() throws Exception {
        PolicyStore store = newStore();
        store.put(entry("example.org", "1", "enforce", 86400));
        store.put(entry("example.org", "2", "enforce", 86400));
        assertThat(names()).containsExactly("example.org.json");
    }

    @Test
    void aBrokenEntryIsAnErrorNamingItsFileNotAMissingPolicy() throws Exception {
        Files.createDirectories(data.resolve("mta-sts"));
        Files.writeString(data.resolve("mta-sts/example.org.json"),
                "{\"domain\": \"example.org\", \"id\": \"1\", \"policy\": \"version: STSv9\\r\\n\", \"fetched\": \"2026-11-28T12:00:00Z\"}");
        assertThatThrownBy(() -> newStore().get("example.org")).isInstanceOf(IOException.class)
                .hasMessageContaining("unreadable MTA-STS cache entry").hasMessageContaining("example.org.json");
        assertThatThrownBy(() -> newStore().all()).isInstanceOf(IOException.class);
    }

    @Test
    void aFileWhoseNameIsNoDomainKeyIsPassedOverAndANameThatIsNoKeyNeverBecomesAPath() throws Exception {
        PolicyStore store = newStore();
        PolicyCache.Entry kept = entry("example.org", "1", "enforce", 86400);
        store.put(kept);
        Files.writeString(data.resolve("mta-sts/Not_A.Domain.json"), "whatever");
        Files.writeString(data.resolve("mta-sts/.example.com.json.tmp"), "a write cut short");
        assertThat(store.all()).containsExactly(kept);
        assertThatThrownBy(() -> store.get("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
}
