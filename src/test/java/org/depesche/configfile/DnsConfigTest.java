package org.depesche.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

import org.depesche.config.Config;
import org.depesche.config.DnsServerAddress;

class DnsConfigTest extends TomlFileTest {
    @Test
    void withoutADnsSectionDepescheValidatesFromTheBuiltInRootAnchorOverTheSystemResolvers() throws Exception {
        Config.Dns dns = ConfigLoader.load(write("")).dns();

        assertThat(dns.mode()).isEqualTo("validate");
        assertThat(dns.servers()).isEmpty();
        assertThat(dns.trustAnchor()).isNull();
        assertThat(dns.timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void anEmptyTrustAnchorAsTheReferenceShowsItMeansTheBuiltInRootAnchor() throws Exception {
        Config.Dns dns = ConfigLoader.load(write("[dns]\ntrust_anchor = \"\"\n")).dns();

        assertThat(dns.trustAnchor()).isNull();
    }

    @Test
    void theDnsSectionIsReadAndItsTrustAnchorResolvedBesideTheFile() throws Exception {
        Config.Dns dns = ConfigLoader.load(write("""
                [dns]
                mode = "trust-ad"
                servers = ["127.0.0.1:5353", "[::1]"]
                trust_anchor = "keys/root.ds"
                timeout = "2s"
                """)).dns();

        assertThat(dns.mode()).isEqualTo("trust-ad");
        assertThat(dns.servers()).containsExactly("127.0.0.1:5353", "[::1]");
        assertThat(dns.trustAnchor()).isEqualTo(dir.resolve("keys/root.ds"));
        assertThat(dns.timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aBadModeServerOrTimeoutIsOneLineNamingTheKey() throws Exception {
        assertError("[dns]\nmode = \"trust\"\n", ":2: mode must be \"validate\" or \"trust-ad\", not 'trust'");
        assertError("[dns]\nservers = [\"dns.example.org\"]\n",
                ":2: DNS server 'dns.example.org' is not an IP address with an optional port, "
                        + "like \"192.0.2.53\", \"127.0.0.1:5353\" or \"[::1]:53\"");
        assertError("[dns]\nservers = [\"300.1.1.1\"]\n", ":2: DNS server '300.1.1.1' is not an IP address "
                + "with an optional port, like \"192.0.2.53\", \"127.0.0.1:5353\" or \"[::1]:53\"");
        assertError("[dns]\ntimeout = \"0s\"\n", ":2: timeout must be longer than zero");
    }

    @Test
    void trustAdIsRefusedForAResolverThatIsNotOnLoopback() throws Exception {
        assertError("[dns]\nmode = \"trust-ad\"\nservers = [\"192.0.2.53\"]\n",
                ":3: mode \"trust-ad\" needs a validating resolver on a loopback address, and 192.0.2.53 is not one; "
                        + "use mode \"validate\" for remote servers");
    }

    @Test
    void serverAddressesTakeAnOptionalPortAndDefaultTo53() {
        assertThat(DnsServerAddress.parse("192.0.2.53")).isEqualTo(new InetSocketAddress("192.0.2.53", 53));
        assertThat(DnsServerAddress.parse("127.0.0.1:5353")).isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(DnsServerAddress.parse("[2001:db8::53]:853")).isEqualTo(new InetSocketAddress("2001:db8::53", 853));
        assertThat(DnsServerAddress.parse("::1")).isEqualTo(new InetSocketAddress("::1", 53));
        for (String bad : List.of("", "localhost", "1.2.3.4:0", "1.2.3.4:70000", "[::1", "1.2.3")) {
            assertThatThrownBy(() -> DnsServerAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private void assertError(String toml, String expected) throws Exception {
        Path file = write(toml);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class).hasMessage(file + expected);
    }
}
