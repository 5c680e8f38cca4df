package org.depesche.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.depesche.config.Config;

class MtaStsConfigTest extends TomlFileTest {
    @Test
    void withoutTheSectionNoPolicyIsServedAndTheDefaultPolicyIsTestingForTheHostname() throws Exception {
        Config c = ConfigLoader.load(write("hostname = \"mx.example.org\"\n"));
        assertThat(c.mtaSts().listen()).isEmpty();
        assertThat(c.mtaSts().mode()).isEqualTo("testing");
        assertThat(c.mtaSts().maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(c.mtaStsMx()).containsExactly("mx.example.org");
    }

    @Test
    void theSectionIsRead() throws Exception {
        Config c = ConfigLoader.load(write("""
                [mta_sts]
                listen = "0.0.0.0:443"
                mode = "enforce"
                mx = ["mx1.example.org", "*.example.net"]
                max_age = "1d"
                """));
        assertThat(c.mtaSts().listen()).isEqualTo("0.0.0.0:443");
        assertThat(c.mtaStsMx()).containsExactly("mx1.example.org", "*.example.net");
        assertThat(c.mtaSts().maxAge()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void anUnknownModeIsRefusedWithItsLine() throws Exception {
        Path file = write("[mta_sts]\nmode = \"strict\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(":2").hasMessageContaining("mode must be enforce, testing or none");
    }

    @Test
    void aBadMxPatternABadListenerAndTooLongAMaxAgeAreRefused() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(write("[mta_sts]\nmx = [\"mx..example\"]\n")))
                .hasMessageContaining("mx 'mx..example'");
        assertThatThrownBy(() -> ConfigLoader.load(write("[mta_sts]\nlisten = \"nowhere\"\n")))
                .hasMessageContaining("expected host:port");
        assertThatThrownBy(() -> ConfigLoader.load(write("[mta_sts]\nmax_age = \"400d\"\n")))
                .hasMessageContaining("max_age must be between 1s and 31557600s");
    }
}
