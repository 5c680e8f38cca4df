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
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.Directory.Account;
import org.depesche.mail.MailAddress;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void anAccountResolvesToItselfWhateverTheCaseOfTheLocalPartAndDomain() {
        assertThat(resolve("alice@example.org")).containsExactly("alice@example.org");
        assertThat(resolve("ALICE@Example.Org")).containsExactly("alice@example.org");
        assertThat(resolve("bob@example.org")).containsExactly("bob@example.org");
        assertThat(dir.isLocalDomain("EXAMPLE.net")).isTrue();
        assertThat(dir.isLocalDomain("example.com")).isFalse();
    }

    @Test
    void unknownAddressesAndRemoteDomainsResolveToNothing() {
        assertThat(resolve("nobody@example.org")).isEmpty();
        assertThat(resolve("alice@example.com")).isEmpty();
        assertThat(resolve("alice@example.net")).isEmpty();
    }

    @Test
    void anAliasResolvesToEachOfItsTargets() throws Exception {
        dir.addAlias("team@example.org", List.of("alice@example.org", "carol@example.net"));
        assertThat(resolve("Team@example.org")).containsExactly("alice@example.org", "carol@example.net");
    }

    @Test
    void addingToAnExistingAliasMergesTheTargets() throws Exception {
        dir.addAlias("team@example.org", List.of("alice@example.org"));
        dir.addAlias("team@example.org", List.of("bob@example.org", "alice@example.org"));
        assertThat(dir.aliases()).containsEntry("team@example.org", List.of("alice@example.org", "bob@example.org"));
    }

    @Test
    void plusAddressingResolvesLikeTheAddressWithoutTheTag() throws Exception {
        dir.addAlias("team@example.org", List.of("bob@example.org"));
        assertThat(resolve("alice+lists@example.org")).containsExactly("alice@example.org");
        assertThat(resolve("Alice+Lists+more@example.org")).containsExactly("alice@example.org");
        assertThat(resolve("team+x@example.org")).containsExactly("bob@example.org");
        assertThat(resolve("nobody+x@example.org")).isEmpty();
        assertThat(resolve("+x@example.org")).isEmpty();
    }

    @Test
    void postmasterOfEveryDomainGoesToThePostmasterOfTheFirstDomain() throws Exception {
        dir.addAlias("postmaster@example.org", List.of("bob@example.org"));
        assertThat(resolve("postmaster@example.org")).containsExactly("bob@example.org");
        assertThat(resolve("PostMaster@example.net")).containsExactly("bob@example.org");
        assertThat(resolve("postmaster+dmarc@example.net")).containsExactly("bob@example.org");
    }

    @Test
    void aDomainsOwnPostmasterAliasWinsOverTheFirstDomains() throws Exception {
        dir.addAlias("postmaster@example.org", List.of("bob@example.org"));
        dir.addAlias("postmaster@example.net", List.of("carol@example.net"));
        assertThat(resolve("postmaster@example.net")).containsExactly("carol@example.net");
    }

    @Test
    void withoutAnyPostmasterAliasPostmasterGoesToTheFirstAccountCreated() {
        assertThat(resolve("postmaster@example.net")).containsExactly("alice@example.org");
        assertThat(resolve("postmaster@example.com")).isEmpty();
    }

    @Test
    void theRightPasswordLogsInWhateverTheCaseOfTheLogin() {
        assertThat(dir.authenticate("alice@example.org", "alice-pw".toCharArray()))
                .contains(new Account(a("alice@example.org")));
        assertThat(dir.authenticate("BOB@example.org", "bob-pw".toCharArray()))
                .contains(new Account(a("bob@example.org")));
    }

    @Test
    void aWrongPasswordAnUnknownLoginOrGarbageDoNotLogIn() {
        assertThat(dir.authenticate("alice@example.org", "bob-pw".toCharArray())).isEmpty();
        assertThat(dir.authenticate("nobody@example.org", "alice-pw".toCharArray())).isEmpty();
        assertThat(dir.authenticate("not an address", "x".toCharArray())).isEmpty();
        assertThat(dir.authenticate("alice+tag@example.org", "alice-pw".toCharArray())).isEmpty();
    }

    @Test
    void aDisabledAccountCannotLogInButStillReceivesMail() throws Exception {
        Path file = data.resolve("directory.json");
        Files.writeString(file, Files.readString(file).replaceFirst("\"enabled\" : true", "\"enabled\" : false"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(dir.authenticate("alice@example.org", "alice-pw".toCharArray())).isEmpty();
        assertThat(resolve("alice@example.org")).containsExactly("alice@example.org");
        assertThat(dir.accounts()).contains(new FileDirectory.AccountInfo("alice@example.org", false));
    }

    @Test
    void anAccountMaySendAsItselfItsAliasesAndTheirTaggedForms() throws Exception {
        dir.addAlias("team@example.org", List.of("alice@example.org", "bob@example.org"));
        dir.addAlias("sales@example.net", List.of("carol@example.net"));
        Account alice = new Account(a("alice@example.org"));
        assertThat(dir.mayUseAddress(alice, a("alice@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("Alice+news@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("team@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("team+x@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("bob@example.org"))).isFalse();
        assertThat(dir.mayUseAddress(alice, a("sales@example.net"))).isFalse();
        assertThat(dir.mayUseAddress(alice, a("alice@example.net"))).isFalse();
        assertThat(dir.mayUseAddress(alice, a("alice@gmail.com"))).isFalse();
    }

    @Test
    void aChangedPasswordReplacesTheOldOne() throws Exception {
        dir.setPassword("alice@example.org", "new-pw".toCharArray());
        assertThat(dir.authenticate("alice@example.org", "alice-pw".toCharArray())).isEmpty();
        assertThat(dir.authenticate("alice@example.org", "new-pw".toCharArray())).isPresent();
    }

    @Test
    void deletingAnAccountRemovesItFromAliasesAndDropsAliasesLeftEmpty() throws Exception {
        dir.addAlias("team@example.org", List.of("alice@example.org", "bob@example.org"));
        dir.addAlias("solo@example.org", List.of("alice@example.org"));
        dir.removeUser("Alice@example.org");
        assertThat(resolve("alice@example.org")).isEmpty();
        assertThat(dir.aliases()).containsOnlyKeys("team@example.org");
        assertThat(dir.aliases().get("team@example.org")).containsExactly("bob@example.org");
    }

    @Test
    void changesThatMakeNoSenseAreRefusedWithOneLineSayingWhy() {
        assertThatThrownBy(() -> dir.addUser("dave@example.com", "pw".toCharArray()))
                .isInstanceOf(DirectoryException.class)
                .hasMessage("domain example.com is not a local domain; add it first: depesche domain add example.com");
        assertThatThrownBy(() -> dir.addUser("ALICE@example.org", "pw".toCharArray()))
                .hasMessage("account alice@example.org already exists");
        assertThatThrownBy(() -> dir.addUser("dave+x@example.org", "pw".toCharArray()))
                .hasMessageStartingWith("'+' is reserved for subaddresses");
        assertThatThrownBy(() -> dir.addUser("../etc@example.org", "pw".toCharArray()))
                .isInstanceOf(DirectoryException.class);
        assertThatThrownBy(() -> dir.addUser("a/b@example.org", "pw".toCharArray()))
                .hasMessageStartingWith("use only letters, digits");
        assertThatThrownBy(() -> dir.addUser("dave@example.org", new char[0]))
                .hasMessage("the password is empty");
        assertThatThrownBy(() -> dir.addDomain("example.org")).hasMessage("domain example.org already exists");
        assertThatThrownBy(() -> dir.addDomain("bad_domain!")).hasMessage("not a valid domain name: bad_domain! (a character not allowed in a domain name)");
        assertThatThrownBy(() -> dir.removeDomain("example.net"))
                .hasMessage("domain example.net still has 1 account(s) and 0 alias(es); delete them first");
        assertThatThrownBy(() -> dir.addAlias("x@example.org", List.of("nobody@example.org")))
                .hasMessage("alias target nobody@example.org is not a local account (remote targets are not supported yet)");
        assertThatThrownBy(() -> dir.addAlias("bob@example.org", List.of("alice@example.org")))
                .hasMessage("bob@example.org is an account; an alias cannot have its name");
        assertThatThrownBy(() -> dir.removeAlias("x@example.org")).hasMessage("no such alias: x@example.org");
        assertThatThrownBy(() -> dir.setPassword("x@example.org", "pw".toCharArray())).hasMessage("no such account: x@example.org");
        assertThatThrownBy(() -> dir.removeUser("x@example.org")).hasMessage("no such account: x@example.org");
    }

    @Test
    void anEmptyDomainCanBeDeleted() throws Exception {
        dir.addDomain("spare.example");
        dir.removeDomain("SPARE.example");
        assertThat(dir.domains()).containsExactly("example.org", "example.net");
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
}
