package org.depesche.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.depesche.config.Config;

class DeliveryConfigTest extends TomlFileTest {
    @Test
    void withoutADeliverySectionDepescheUsesDaneOnPort25AndNoticesDelaysAfterFourHours() throws Exception {
        Config c = ConfigLoader.load(write("hostname = \"mx.sender.test\"\n"));
        Config.Delivery d = c.delivery();
        assertThat(d.defaultTlsLevel()).isEqualTo("dane");
        assertThat(d.smtpPort()).isEqualTo(25);
        assertThat(c.heloName()).isEqualTo("mx.sender.test");
        assertThat(d.delayNoticeAfter()).isEqualTo(Duration.ofHours(4));
        assertThat(c.queue().maxLifetime()).isEqualTo(Duration.ofDays(5));
        assertThat(d.policy()).isEmpty();
        assertThat(d.honorTlsRequiredNo()).isTrue();
    }

    @Test
    void theDeliverySectionAndItsPolicyTableAreRead() throws Exception {
        Config c = ConfigLoader.load(write("""
                [delivery]
                default_tls_level = "may"
                smtp_port = 2525
                helo_name = "out.sender.test"
                delay_notice_after = "30m"
                honor_tls_required_no = false
                [[delivery.policy]]
                domain = "bank.example"
                level = "verify"
                pins = ["%s"]
                [[delivery.policy]]
                domain = "partner.example"
                level = "dane-only"
                """.formatted("ab".repeat(32))));
        assertThat(c.delivery().smtpPort()).isEqualTo(2525);
        assertThat(c.heloName()).isEqualTo("out.sender.test");
        assertThat(c.delivery().delayNoticeAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.delivery().honorTlsRequiredNo()).isFalse();
        assertThat(c.delivery().policy()).containsExactly(
                new Config.Policy("bank.example", "verify", List.of("ab".repeat(32))),
                new Config.Policy("partner.example", "dane-only", List.of()));
    }

    @Test
    void aBadLevelPortOrPolicyEntryIsOneLineNamingTheKey() throws Exception {
        assertError("[delivery]\ndefault_tls_level = \"secure\"\n",
                ":2: TLS level must be one of none, may, encrypt, dane, dane-only, verify, not 'secure'");
        assertError("[delivery]\nsmtp_port = 0\n", ":2: smtp_port must be between 1 and 65535, not 0");
        assertError("[[delivery.policy]]\ndomain = \"a.example\"\nlevel = \"may\"\npins = [\"00\"]\n",
                ":2: pins for a.example need level = \"verify\", not 'may'");
        assertError("[[delivery.policy]]\ndomain = \"a.example\"\n",
                ":2: [[delivery.policy]] for a.example needs level = \"none|may|encrypt|dane|dane-only|verify\"");
        assertError("[[delivery.policy]]\ndomain = \"a.example\"\nlevel = \"may\"\nlevle = \"x\"\n", "unknown key 'levle'");
    }

    @Test
    void twoSpellingsOfOneDomainAreTwoEntriesForItAndAnInvalidOneIsOneLine() throws Exception {
        // Issue 8, finding 8: entries are compared by their UTS #46 key, as the engine looks them up.
        assertError("[[delivery.policy]]\ndomain = \"evil.test\"\nlevel = \"dane-only\"\n"
                + "[[delivery.policy]]\ndomain = \"EVIL\uFF61test\"\nlevel = \"may\"\n",
                ":5: domain 'EVIL\uFF61test' has two [[delivery.policy]] entries");
        assertError("[[delivery.policy]]\ndomain = \"-evil.test\"\nlevel = \"may\"\n",
                ":2: [[delivery.policy]] domain '-evil.test' is not a valid domain name (a label starts with '-')");
    }

    private void assertError(String toml, String message) throws Exception {
        Path file = write(toml);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }
}
