package org.depesche.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.depesche.config.Config;
import org.depesche.configfile.ConfigLoader;
import org.depesche.crypto.PasswordHasher;
import org.depesche.directory.Directory.Strictness;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The [secure] entries of depesche.toml laid over directory.json: they count, the stricter wins, the CLI cannot remove them. */
class SecureSettingsTest {
    private static final String TOML = """
            [[secure.domain]]
            domain = "example.org"
            alias = "secure.example.org"

            [[secure.address]]
            address = "sales@example.org"

            [[secure.address]]
            address = "alice@secure.example.org"
            strictness = "encrypt"

            [[secure.account]]
            address = "bob@example.org"
            send_authenticated_only = false
            """;

    @TempDir
    Path dir;
    private final PasswordHasher hasher = new PasswordHasher(64, 1, 1, 2, new SecureRandom());
    private FileDirectory cli;

    @BeforeEach
    void accounts() throws Exception {
        cli = new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(), hasher);
        cli.addDomain("example.org");
        cli.addUser("alice@example.org", "a".toCharArray());
        cli.addUser("bob@example.org", "b".toCharArray());
        cli.addAlias("sales@example.org", List.of("alice@example.org"));
    }

    private FileDirectory withConfig(String toml) throws Exception {
        Path file = dir.resolve("depesche.toml");
        Files.writeString(file, toml);
        Config c = ConfigLoader.load(file);
        return new FileDirectory(dir.resolve("directory.json"), Clock.systemUTC(), hasher, SecureSettings.from(c.secure()));
    }

    private static Optional<Strictness> required(FileDirectory d, String address) {
        return d.requiredTls(MailAddress.parse(address));
    }

    @Test
    void aSecureAliasDomainFromTheConfigIsLocalAndReachesTheSameMailboxOnlyOverTls() throws Exception {
        FileDirectory d = withConfig(TOML);
        assertThat(d.isLocalDomain("Secure.Example.org")).isTrue();
        assertThat(d.resolve(MailAddress.parse("bob@secure.example.org"))).containsExactly(MailAddress.parse("bob@example.org"));
        assertThat(required(d, "bob@secure.example.org")).contains(Strictness.VERIFY);
        assertThat(d.secureAliasDomains()).containsEntry("example.org", List.of("secure.example.org"));
        assertThat(required(cli, "bob@secure.example.org")).isEmpty(); // without the config it is nobody's domain
        assertThat(cli.isLocalDomain("secure.example.org")).isFalse();
    }

    @Test
    void addressesAndAccountSwitchesFromTheConfigMakeMailRequireTls() throws Exception {
        FileDirectory d = withConfig(TOML);
        assertThat(required(d, "sales+news@example.org")).contains(Strictness.VERIFY);
        assertThat(required(d, "alice@example.org")).contains(Strictness.ENCRYPT); // keyed by its local domain
        assertThat(required(d, "bob@example.org")).contains(Strictness.VERIFY);
        assertThat(d.accounts()).filteredOn(a -> a.address().equals("bob@example.org")).singleElement()
                .satisfies(a -> {
                    assertThat(a.receiveTlsOnly()).isTrue();
                    assertThat(a.sendAuthenticatedOnly()).isFalse();
                });
        assertThat(d.configuredTable("Sales@example.org")).contains("[[secure.address]]");
    }

    @Test
    void whereTheFileAndTheConfigNameTheSameAddressTheStricterWins() throws Exception {
        cli.setSecure("alice@example.org", Strictness.VERIFY);
        cli.setSecure("sales@example.org", Strictness.ENCRYPT);
        FileDirectory d = withConfig(TOML);
        assertThat(required(d, "alice@example.org")).contains(Strictness.VERIFY);
        assertThat(required(d, "sales@example.org")).contains(Strictness.VERIFY);
    }

    @Test
    void theCliRefusesToMakeAConfiguredAddressOrAccountOrdinaryWithOneLineNamingTheFile() throws Exception {
        FileDirectory d = withConfig(TOML);
        assertThatThrownBy(() -> d.setSecure("sales@example.org", null)).isInstanceOf(DirectoryException.class)
                .hasMessage("sales@example.org is made secure by [[secure.address]] in depesche.toml; remove it there and restart to change that");
        assertThatThrownBy(() -> d.setAccountTls("bob@example.org", false, false))
                .hasMessage("bob@example.org is made secure by [[secure.account]] in depesche.toml; remove it there and restart to change that");
        assertThatThrownBy(() -> d.addDomain("secure.example.org")).hasMessage("secure.example.org is the secure alias domain of example.org in depesche.toml");
        d.setAccountTls("bob@example.org", true, true); // switching more on is fine
        assertThat(required(d, "sales@example.org")).contains(Strictness.VERIFY);
    }

    @Test
    void aConfiguredAliasDomainThatIsALocalDomainInTheFileStopsTheDirectoryFromLoading() throws Exception {
        cli.addDomain("secure.example.org");
        assertThatThrownBy(() -> withConfig(TOML)).isInstanceOf(DirectoryException.class)
                .hasMessage("depesche.toml: [[secure.domain]] alias secure.example.org is a local domain in " + dir.resolve("directory.json")
                        + "; a secure alias domain must be a name of its own");
    }
}
