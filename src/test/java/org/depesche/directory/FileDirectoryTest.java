package org.depesche.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.Directory.Account;
import org.depesche.mail.MailAddress;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the file backend has to get right: the file's format and modes,
 * concurrent writers, and noticing a change another process made. The rules
 * and the changes are {@link DirectoryContractTest}'s.
 */
class FileDirectoryTest {
    @TempDir
    Path data;
    private final SettableClock clock = new SettableClock();
    // Cheap Argon2id parameters: these tests are about the directory, not the hash cost.
    private final PasswordHasher hasher = new PasswordHasher(64, 1, 1, 4, new SecureRandom());
    private FileDirectory dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = open();
        dir.addDomain("example.org");
        dir.addDomain("Example.NET");
        dir.addUser("alice@example.org", "alice-pw".toCharArray());
        dir.addUser("Bob@example.org", "bob-pw".toCharArray());
        dir.addUser("carol@example.net", "carol-pw".toCharArray());
    }

    private FileDirectory open() throws DirectoryException {
        return new FileDirectory(data.resolve("directory.json"), clock, hasher);
    }

    private static MailAddress a(String s) {
        return MailAddress.parse(s);
    }

    private List<String> resolve(String address) {
        return dir.resolve(a(address)).stream().map(MailAddress::toString).toList();
    }

    @Test
    void aDisabledAccountCannotLogInButStillReceivesMail() throws Exception {
        Path file = data.resolve("directory.json");
        Files.writeString(file, Files.readString(file).replaceFirst("\"enabled\" : true", "\"enabled\" : false"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(dir.authenticate("alice@example.org", "alice-pw".toCharArray())).isEmpty();
        assertThat(resolve("alice@example.org")).containsExactly("alice@example.org");
        assertThat(dir.accounts()).contains(new DirectoryAdmin.AccountInfo("alice@example.org", false));
    }

    @Test
    void aChangeMadeByTheCliIsSeenByTheRunningServerAfterTheRecheckInterval() throws Exception {
        FileDirectory server = open();
        assertThat(server.resolve(a("dave@example.org"))).isEmpty();
        open().addUser("dave@example.org", "dave-pw".toCharArray());
        clock.advance(Duration.ofMillis(FileDirectory.RECHECK_MILLIS));
        assertThat(server.resolve(a("dave@example.org"))).containsExactly(a("dave@example.org"));
        assertThat(server.authenticate("dave@example.org", "dave-pw".toCharArray())).isPresent();
    }

    @Test
    void concurrentWritersFromSeveralInstancesLoseNoChange() throws Exception {
        FileDirectory server = open();
        List<FileDirectory> clis = List.of(open(), open(), open());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                FileDirectory cli = clis.get(i % clis.size());
                String user = "user" + i + "@example.org";
                done.add(pool.submit(() -> {
                    cli.addUser(user, "pw".toCharArray());
                    // Meanwhile the server keeps reading.
                    clock.advance(Duration.ofMillis(FileDirectory.RECHECK_MILLIS));
                    server.resolve(MailAddress.parse("alice@example.org"));
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        }
        clock.advance(Duration.ofMillis(FileDirectory.RECHECK_MILLIS));
        for (int i = 0; i < 30; i++) assertThat(server.resolve(a("user" + i + "@example.org"))).hasSize(1);
        assertThat(open().accounts()).hasSize(33);
    }

    @Test
    void aBrokenFileIsReportedWithItsLineAtStartupAndIgnoredByARunningServer() throws Exception {
        Path file = data.resolve("directory.json");
        String good = Files.readString(file);
        Files.writeString(file, "{\n  \"version\": 1,\n  \"domains\": [\"example.org\",\n  oops\n}\n");
        assertThatThrownBy(this::open)
                .isInstanceOf(DirectoryException.class)
                .hasMessageStartingWith(file + ":4: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(resolve("alice@example.org")).containsExactly("alice@example.org");
        Files.writeString(file, good.replace("bob@", "robert@"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(resolve("robert@example.org")).containsExactly("robert@example.org");
    }

    @Test
    void anUnknownKeyInTheFileIsAnError() throws Exception {
        Path file = data.resolve("directory.json");
        Files.writeString(file, "{\"version\": 1, \"domians\": []}");
        assertThatThrownBy(this::open).isInstanceOf(DirectoryException.class).hasMessageContaining("domians");
    }

    @Test
    void theFileIsReadableOnlyByItsOwnerAndHoldsArgon2idHashes() throws Exception {
        Path file = data.resolve("directory.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("\"password\" : \"$argon2id$v=19$").doesNotContain("alice-pw");
    }

    @Test
    void aMissingFileIsAnEmptyDirectory() throws Exception {
        FileDirectory empty = new FileDirectory(data.resolve("none/directory.json"), clock, hasher);
        assertThat(empty.domains()).isEmpty();
        assertThat(empty.resolve(a("postmaster@example.org"))).isEmpty();
    }

    @Test
    void aFileWrittenBeforeSecureAddressesExistedStillLoadsAndStaysFreeOfTheNewKeys() throws Exception {
        Path file = data.resolve("directory.json");
        String hash = hasher.hash("pw".toCharArray());
        Files.writeString(file, "{\"version\": 1, \"domains\": [\"example.org\"], \"accounts\": [{\"address\": \"carol@example.org\", "
                + "\"password\": \"" + hash.replace("$", "\\u0024") + "\", \"enabled\": true}], \"aliases\": {}}");
        dir = open();
        assertThat(dir.resolve(a("carol@example.org"))).containsExactly(a("carol@example.org"));
        assertThat(dir.requiredTls(a("carol@example.org"))).isEmpty();
        dir.setPassword("carol@example.org", "pw2".toCharArray());
        assertThat(Files.readString(file)).doesNotContain("secure", "receiveTlsOnly", "sendAuthenticatedOnly");
    }

    @Test
    void aStoredStrictnessOtherThanEncryptOrVerifyIsAnError() throws Exception {
        Path file = data.resolve("directory.json");
        Files.writeString(file, "{\"version\": 1, \"domains\": [\"example.org\"], \"secureAddresses\": {\"a@example.org\": \"maybe\"}}");
        assertThatThrownBy(this::open).isInstanceOf(DirectoryException.class)
                .hasMessageContaining("strictness of a@example.org must be encrypt or verify");
    }

    @Test
    void aConfiguredAliasDomainThatIsALocalDomainInTheFileStopsTheDirectoryFromLoadingNamingTheFile() throws Exception {
        dir.addDomain("secure.example.org");
        SecureSettings configured = new SecureSettings(Map.of("secure.example.org", "example.org"), Map.of(), Map.of());
        assertThatThrownBy(() -> new FileDirectory(data.resolve("directory.json"), clock, hasher, configured))
                .isInstanceOf(DirectoryException.class)
                .hasMessage("depesche.toml: [[secure.domain]] alias secure.example.org is a local domain in " + data.resolve("directory.json")
                        + "; a secure alias domain must be a name of its own");
    }

    @Test
    void aStoredAddressThatIsNoAddressIsAnErrorNamingTheFile() throws Exception {
        Path file = data.resolve("directory.json");
        Files.writeString(file, "{\"version\": 1, \"domains\": [\"example.org\"], \"aliases\": {\"x@example.org\": [\"nobody\"]}}");
        assertThatThrownBy(this::open).isInstanceOf(DirectoryException.class).hasMessage(file + ": invalid address \"nobody\"");
    }

    @Test
    void theFileKeepsItsFormatKeysInOrderSwitchesAndSecureEntriesOnlyWhenSet() throws Exception {
        dir.addAlias("team@example.org", List.of("alice@example.org", "bob@example.org"));
        dir.setSecureDomain("example.org", "secure.example.org");
        dir.setSecure("team@example.org", Directory.Strictness.ENCRYPT);
        dir.setAccountTls("bob@example.org", true, false);
        String text = Files.readString(data.resolve("directory.json")).replaceAll("\\$argon2id\\$[^\"]+", "HASH");
        assertThat(text).isEqualTo("""
                {
                  "version" : 1,
                  "domains" : [ "example.org", "example.net" ],
                  "secureDomains" : {
                    "example.org" : "secure.example.org"
                  },
                  "accounts" : [ {
                    "address" : "alice@example.org",
                    "password" : "HASH",
                    "enabled" : true
                  }, {
                    "address" : "bob@example.org",
                    "password" : "HASH",
                    "enabled" : true,
                    "receiveTlsOnly" : true
                  }, {
                    "address" : "carol@example.net",
                    "password" : "HASH",
                    "enabled" : true
                  } ],
                  "aliases" : {
                    "team@example.org" : [ "alice@example.org", "bob@example.org" ]
                  },
                  "secureAddresses" : {
                    "team@example.org" : "encrypt"
                  }
                }""");
    }
}
