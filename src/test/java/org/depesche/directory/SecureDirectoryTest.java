package org.depesche.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.Directory.Account;
import org.depesche.directory.Directory.Strictness;
import org.depesche.mail.MailAddress;
import org.depesche.testsupport.SettableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secure alias domains, secure addresses and the per-account TLS switches in directory.json (THREATS T2b). */
class SecureDirectoryTest {
    @TempDir
    Path data;
    private final SettableClock clock = new SettableClock();
    private final PasswordHasher hasher = new PasswordHasher(64, 1, 1, 4, new SecureRandom());
    private FileDirectory dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = open();
        dir.addDomain("example.org");
        dir.addUser("alice@example.org", "alice-pw".toCharArray());
        dir.addUser("bob@example.org", "bob-pw".toCharArray());
        dir.addAlias("sales@example.org", List.of("alice@example.org", "bob@example.org"));
    }

    private FileDirectory open() throws DirectoryException {
        return new FileDirectory(data.resolve("directory.json"), clock, hasher);
    }

    private static MailAddress a(String s) {
        return MailAddress.parse(s);
    }

    private Optional<Strictness> required(String address) {
        return dir.requiredTls(a(address));
    }

    @Test
    void aSecureAliasDomainIsLocalAndReachesTheSameMailboxesButOnlyOverTls() throws Exception {
        dir.setSecureDomain("example.org", "Secure.Example.org");
        assertThat(dir.isLocalDomain("secure.example.org")).isTrue();
        assertThat(dir.resolve(a("Alice@secure.example.org"))).containsExactly(a("alice@example.org"));
        assertThat(dir.resolve(a("alice+news@secure.example.org"))).containsExactly(a("alice@example.org"));
        assertThat(dir.resolve(a("sales@secure.example.org"))).containsExactly(a("alice@example.org"), a("bob@example.org"));
        assertThat(dir.resolve(a("nobody@secure.example.org"))).isEmpty();
        assertThat(required("alice@secure.example.org")).contains(Strictness.VERIFY);
        assertThat(required("alice@example.org")).isEmpty();
        assertThat(dir.secureDomains()).containsExactly(Map.entry("example.org", "secure.example.org"));
    }

    @Test
    void anAccountMaySendAsItsAddressInTheSecureAliasDomain() throws Exception {
        dir.setSecureDomain("example.org", "secure.example.org");
        Account alice = new Account(a("alice@example.org"));
        assertThat(dir.mayUseAddress(alice, a("alice@secure.example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("sales@secure.example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("bob@secure.example.org"))).isFalse();
    }

    @Test
    void aSecureAliasDomainMustBeANameOfItsOwnForALocalDomain() throws Exception {
        dir.addDomain("example.net");
        assertThatThrownBy(() -> dir.setSecureDomain("example.com", "secure.example.com"))
                .isInstanceOf(DirectoryException.class).hasMessageStartingWith("no such domain: example.com");
        assertThatThrownBy(() -> dir.setSecureDomain("example.org", "example.net"))
                .isInstanceOf(DirectoryException.class).hasMessageContaining("already a local domain");
        dir.setSecureDomain("example.org", "secure.example.org");
        assertThatThrownBy(() -> dir.setSecureDomain("example.net", "secure.example.org"))
                .isInstanceOf(DirectoryException.class).hasMessageContaining("already the secure alias domain of example.org");
        assertThatThrownBy(() -> dir.addDomain("secure.example.org"))
                .isInstanceOf(DirectoryException.class).hasMessageContaining("already a secure alias domain");
    }

    @Test
    void aMarkedAddressRequiresTlsWithItsStrictnessAlsoWithATag() throws Exception {
        dir.setSecure("alice@example.org", Strictness.ENCRYPT);
        dir.setSecure("sales@example.org", Strictness.VERIFY);
        assertThat(required("Alice@example.org")).contains(Strictness.ENCRYPT);
        assertThat(required("alice+tag@example.org")).contains(Strictness.ENCRYPT);
        assertThat(required("sales@example.org")).contains(Strictness.VERIFY);
        assertThat(required("bob@example.org")).isEmpty();
        assertThat(dir.secureAddresses()).containsExactly(
                Map.entry("alice@example.org", Strictness.ENCRYPT), Map.entry("sales@example.org", Strictness.VERIFY));
        dir.setSecure("alice@example.org", null);
        assertThat(required("alice@example.org")).isEmpty();
        assertThatThrownBy(() -> dir.setSecure("nobody@example.org", Strictness.VERIFY))
                .isInstanceOf(DirectoryException.class).hasMessage("no such account or alias: nobody@example.org");
    }

    @Test
    void anAccountThatReceivesOnlyOverTlsMakesEveryAddressDeliveringToItSecure() throws Exception {
        dir.setAccountTls("bob@example.org", true, false);
        assertThat(required("bob@example.org")).contains(Strictness.VERIFY);
        assertThat(required("sales@example.org")).contains(Strictness.VERIFY);
        assertThat(required("alice@example.org")).isEmpty();
        FileDirectory.AccountInfo bob = dir.accounts().get(1);
        assertThat(bob.receiveTlsOnly()).isTrue();
        assertThat(bob.sendAuthenticatedOnly()).isFalse();
        dir.setAccountTls("bob@example.org", false, true);
        assertThat(required("bob@example.org")).isEmpty();
        assertThat(dir.accounts().get(1).sendAuthenticatedOnly()).isTrue();
    }

    @Test
    void theSettingsSurviveAReopenAndDisappearWithWhatTheyBelongTo() throws Exception {
        dir.setSecureDomain("example.org", "secure.example.org");
        dir.setSecure("sales@example.org", Strictness.ENCRYPT);
        dir.setSecure("bob@example.org", Strictness.VERIFY);
        dir.setAccountTls("alice@example.org", true, true);
        dir.setPassword("alice@example.org", "new-pw".toCharArray());
        dir = open();
        assertThat(required("sales@example.org")).contains(Strictness.ENCRYPT);
        assertThat(dir.accounts().get(0).receiveTlsOnly()).isTrue();
        assertThat(dir.accounts().get(0).sendAuthenticatedOnly()).isTrue();
        assertThat(dir.isLocalDomain("secure.example.org")).isTrue();

        dir.removeUser("bob@example.org");
        dir.removeAlias("sales@example.org");
        assertThat(dir.secureAddresses()).isEmpty();
        dir.removeUser("alice@example.org");
        dir.removeDomain("example.org");
        assertThat(dir.isLocalDomain("secure.example.org")).isFalse();
        assertThat(dir.secureDomains()).isEmpty();
    }

    @Test
    void aFileWrittenBeforeSecureAddressesExistedStillLoadsAndStaysFreeOfTheNewKeys() throws Exception {
        Path file = data.resolve("directory.json");
        String hash = hasher.hash("pw".toCharArray());
        Files.writeString(file, "{\"version\": 1, \"domains\": [\"example.org\"], \"accounts\": [{\"address\": \"carol@example.org\", "
                + "\"password\": \"" + hash.replace("$", "\\u0024") + "\", \"enabled\": true}], \"aliases\": {}}");
        dir = open();
        assertThat(dir.resolve(a("carol@example.org"))).containsExactly(a("carol@example.org"));
        assertThat(required("carol@example.org")).isEmpty();
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
    void aSecureSenderIsASecureAliasDomainOrAMarkedAddressButNotAnAccountThatOnlyReceivesOverTls() throws Exception {
        dir.setSecureDomain("example.org", "secure.example.org");
        dir.setSecure("sales@example.org", Strictness.ENCRYPT);
        dir.setAccountTls("bob@example.org", true, false);
        assertThat(dir.secureSender(a("alice@secure.example.org"))).contains(Strictness.VERIFY);
        assertThat(dir.secureSender(a("sales+q4@example.org"))).contains(Strictness.ENCRYPT);
        assertThat(dir.secureSender(a("sales@secure.example.org"))).contains(Strictness.ENCRYPT);
        assertThat(dir.secureSender(a("alice@example.org"))).isEmpty();
        assertThat(dir.secureSender(a("bob@example.org"))).isEmpty();
        assertThat(required("bob@example.org")).contains(Strictness.VERIFY); // receiving is another matter
        assertThat(dir.secureSender(a("someone@remote.test"))).isEmpty();
    }

    @Test
    void theSendSwitchOfAnAccountIsReadBack() throws Exception {
        dir.setAccountTls("bob@example.org", false, true);
        assertThat(dir.sendsOnlyAuthenticated(new Account(a("bob@example.org")))).isTrue();
        assertThat(dir.sendsOnlyAuthenticated(new Account(a("alice@example.org")))).isFalse();
        assertThat(dir.sendsOnlyAuthenticated(new Account(a("gone@example.org")))).isFalse();
    }
}
