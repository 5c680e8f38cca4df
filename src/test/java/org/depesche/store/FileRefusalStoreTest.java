package org.depesche.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.depesche.store.RefusalStore.Pending;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@link FileRefusalStore}, and what only the files show: names, format, modes, leftovers. */
class FileRefusalStoreTest extends RefusalStoreContractTest {
    @TempDir
    Path data;

    @Override
    RefusalStore newStore() {
        return reopened();
    }

    @Override
    RefusalStore reopened() {
        return new FileRefusalStore(data.resolve("refusals"));
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(data.resolve("refusals"))) {
            return s.toList();
        }
    }

    @Test
    void anAccountIsOneJsonFileNamedByTheSha256OfItsAddressPrivateToTheServer() throws Exception {
        newStore().save(ALICE, new Pending(List.of(refusal("carol@remote.test")), 2, Optional.of(AT.plusSeconds(5))));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("alice@example.org".getBytes(StandardCharsets.UTF_8)));
        Path file = data.resolve("refusals/" + hash + ".json");
        assertThat(files()).containsExactly(file);
        assertThat(Files.readString(file)).isEqualTo("{\"account\":\"alice@example.org\",\"pending\":[{\"at\":\"2026-01-01T00:00:00Z\","
                + "\"sender\":\"carol@remote.test\",\"recipient\":\"alice@secure.example.org\",\"peer\":\"192.0.2.7\","
                + "\"helo\":\"relay.remote.test\",\"reason\":\"it did not use STARTTLS (no encryption)\"}],\"notListed\":2,"
                + "\"lastSent\":\"2026-01-01T00:00:05Z\"}");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("refusals"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void nothingIsWrittenBeforeTheFirstSave() {
        newStore().load(10);
        newStore().delete(ALICE);
        assertThat(data.resolve("refusals")).doesNotExist();
    }

    @Test
    void aReplacedFileLeavesNoTemporaryFileBehind() throws Exception {
        RefusalStore store = newStore();
        store.save(ALICE, new Pending(List.of(refusal("carol@remote.test")), 0, Optional.empty()));
        store.save(ALICE, new Pending(List.of(), 0, Optional.of(AT)));
        assertThat(files()).hasSize(1).allSatisfy(f -> assertThat(f.getFileName().toString()).doesNotStartWith("."));
    }

    @Test
    void anUnreadableFileIsLeftAloneAndTheOtherAccountsStillLoad() throws Exception {
        Pending bob = new Pending(List.of(refusal("erin@remote.test")), 0, Optional.empty());
        newStore().save(BOB, bob);
        Path broken = data.resolve("refusals/" + "0".repeat(64) + ".json");
        Files.writeString(broken, "{not json");
        assertThat(reopened().load(10)).isEqualTo(Map.of(BOB, bob));
        assertThat(broken).hasContent("{not json");
    }

    @Test
    void aSaveThatCannotWriteIsSwallowedSoTheSessionGoesOn() throws Exception {
        Files.writeString(data.resolve("refusals"), "a file where the directory should be");
        RefusalStore store = newStore();
        store.save(ALICE, new Pending(List.of(refusal("carol@remote.test")), 0, Optional.empty()));
        store.delete(ALICE);
        assertThat(store.load(10)).isEmpty();
    }
}
