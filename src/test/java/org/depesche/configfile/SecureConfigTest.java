package org.depesche.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.depesche.config.Config;

/** The [secure] section: secure alias domains, addresses and accounts, and the file:line of every mistake in them. */
class SecureConfigTest extends TomlFileTest {
    private void assertError(String toml, String expected) throws Exception {
        Path file = write(toml);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class).hasMessage(file + expected);
    }

    @Test
    void withoutTheSectionNothingIsSecure() throws Exception {
        Config c = ConfigLoader.load(write("hostname = \"mx.example.org\"\n"));
        assertThat(c.secure().domain()).isEmpty();
        assertThat(c.secure().address()).isEmpty();
        assertThat(c.secure().account()).isEmpty();
    }

    @Test
    void domainsAddressesAndAccountsAreReadWithVerifyAndBothSwitchesAsDefaults() throws Exception {
        Config c = ConfigLoader.load(write("""
                [[secure.domain]]
                domain = "example.org"
                alias = "secure.example.org"

                [[secure.address]]
                address = "alice@example.org"

                [[secure.address]]
                address = "sales@example.org"
                strictness = "encrypt"

                [[secure.account]]
                address = "bob@example.org"

                [[secure.account]]
                address = "carol@example.org"
                send_authenticated_only = false
                """));
        assertThat(c.secure().domain()).containsExactly(new Config.SecureDomain("example.org", "secure.example.org"));
        assertThat(c.secure().address()).containsExactly(new Config.SecureAddress("alice@example.org", "verify"),
                new Config.SecureAddress("sales@example.org", "encrypt"));
        assertThat(c.secure().account()).containsExactly(new Config.SecureAccount("bob@example.org", true, true),
                new Config.SecureAccount("carol@example.org", true, false));
    }

    @Test
    void anUnknownStrictnessIsRefusedAtTheLineOfItsEntry() throws Exception {
        assertError("""
                [[secure.address]]
                address = "alice@example.org"

                [[secure.address]]
                address = "bob@example.org"
                strictness = "paranoid"
                """, ":6: strictness must be \"encrypt\" or \"verify\", not 'paranoid'");
    }

    @Test
    void aMalformedAddressIsRefusedWithItsLine() throws Exception {
        assertError("[[secure.address]]\naddress = \"alice.example.org\"\n",
                ":2: address 'alice.example.org' is not a mail address (not local@domain: alice.example.org)");
        assertError("[[secure.account]]\nreceive_tls_only = true\n", ":1: [[secure.account]] needs address = \"user@example.org\"");
        assertError("[[secure.account]]\naddress = \"bob+news@example.org\"\n", ":2: 'bob+news@example.org' is a subaddress, not an account");
    }

    @Test
    void anAliasDomainThatIsALocalDomainOrNamedTwiceIsRefused() throws Exception {
        assertError("""
                [[secure.domain]]
                domain = "example.org"
                alias = "secure.example.org"

                [[secure.domain]]
                domain = "example.net"
                alias = "Example.org"
                """, ":7: alias 'Example.org' is a local domain ([[secure.domain]] domain); a secure alias domain must be a name of its own");
        assertError("""
                [[secure.domain]]
                domain = "example.org"
                alias = "secure.example.org"
                [[secure.domain]]
                domain = "example.net"
                alias = "secure.example.org"
                """, ":6: alias 'secure.example.org' is named by two [[secure.domain]] entries");
        assertError("[[secure.domain]]\ndomain = \"example.org\"\nalias = \"example.org\"\n",
                ":3: alias 'example.org' is a local domain ([[secure.domain]] domain); a secure alias domain must be a name of its own");
        assertError("[[secure.domain]]\ndomain = \"example.org\"\n", ":1: [[secure.domain]] for example.org needs alias = \"secure.example.org\"");
        assertError("[[secure.domain]]\ndomain = \"example.org\"\nalias = \"bad..name\"\n", ":3: alias 'bad..name' is not a valid domain name (an empty label)");
    }

    @Test
    void duplicatesAnAccountWithNothingOnAndAnUnknownKeyAreRefusedWithTheirLines() throws Exception {
        assertError("""
                [[secure.address]]
                address = "alice@example.org"
                [[secure.address]]
                address = "Alice@example.org"
                """, ":4: address 'Alice@example.org' has two [[secure.address]] entries");
        assertError("""
                [[secure.account]]
                address = "bob@example.org"
                receive_tls_only = false
                send_authenticated_only = false
                """, ":2: [[secure.account]] bob@example.org turns both receive_tls_only and send_authenticated_only off,"
                + " which leaves nothing secure; remove the entry");
        Path file = write("[[secure.address]]\naddress = \"alice@example.org\"\n\n[[secure.address]]\naddress = \"b@example.org\"\nstrictnes = \"verify\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessageStartingWith(file + ":6: unknown key 'strictnes'")
                .hasMessageContaining("did you mean 'strictness'");
    }
}
