package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class StsPolicyTest {

    @Test
    void aPolicyWithCrlfLinesParsesWithAllItsMxPatterns() throws Exception {
        StsPolicy p = StsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n");
        assertThat(p.mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
        assertThat(p.mx()).containsExactly("mail.example.com", "*.example.net");
        assertThat(p.maxAge()).isEqualTo(604800);
    }

    @Test
    void lfLineEndsAndUnknownKeysAreAccepted() throws Exception {
        StsPolicy p = StsPolicy.parse("version: STSv1\nmode: testing\nfuture_key: whatever\nmx: mx1.example.org\nmax_age: 86400\n");
        assertThat(p.mode()).isEqualTo(StsPolicy.Mode.TESTING);
        assertThat(p.mx()).containsExactly("mx1.example.org");
    }

    @Test
    void modeNoneNeedsNoMx() throws Exception {
        assertThat(StsPolicy.parse("version: STSv1\nmode: none\nmax_age: 86400\n").mode()).isEqualTo(StsPolicy.Mode.NONE);
    }

    @Test
    void missingOrWrongRequiredFieldsAreRefusedWithAReason() {
        assertThatThrownBy(() -> StsPolicy.parse("mode: enforce\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("no version");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("version");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("no mode");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("unknown policy mode");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.example\n")).hasMessageContaining("no max_age");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 1\n")).hasMessageContaining("no mx");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("twice");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a b\nmax_age: 1\n")).hasMessageContaining("not an mx pattern");
        assertThatThrownBy(() -> StsPolicy.parse("garbage\n")).isInstanceOf(PolicyException.class);
    }

    @Test
    void maxAgeAboveOneYearIsRefused() {
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n"))
                .hasMessageContaining("max_age");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -5\n"))
                .hasMessageContaining("max_age");
    }

    @Test
    void aWildcardMatchesExactlyOneLeftMostLabel() {
        StsPolicy p = new StsPolicy(StsPolicy.Mode.ENFORCE, List.of("*.example.net", "mail.example.com"), 86400);
        assertThat(p.matches("mx1.example.net")).isTrue();
        assertThat(p.matches("MX1.Example.NET.")).isTrue();
        assertThat(p.matches("example.net")).isFalse();
        assertThat(p.matches("a.b.example.net")).isFalse();
        assertThat(p.matches("mail.example.com")).isTrue();
        assertThat(p.matches("other.example.com")).isFalse();
        assertThat(p.matches("evilexample.net")).isFalse();
    }

    @Test
    void anMxHostMatchesInEverySpellingOfItsName() {
        StsPolicy p = new StsPolicy(StsPolicy.Mode.ENFORCE, List.of("*.xn--bcher-kva.test", "mail.example.com"), 86400);
        for (String host : List.of("mx.xn--bcher-kva.test", "MX.B\u00DCCHER.TEST.", "mx.b\u00FCcher\u3002test"))
            assertThat(p.matches(host)).as(host).isTrue();
        for (String host : List.of("mail.example.com", "MAIL.EXAMPLE.COM.", "mail\uFF0Eexample\uFF0Ecom"))
            assertThat(p.matches(host)).as(host).isTrue();
        assertThat(p.matches("b\u00FCcher.test")).isFalse();
    }

    @Test
    void theTextThisServerPublishesParsesBackToTheSamePolicy() throws Exception {
        StsPolicy p = new StsPolicy(StsPolicy.Mode.TESTING, List.of("mx.example.org", "*.backup.example.org"), 3600);
        assertThat(p.toText()).startsWith("version: STSv1\r\nmode: testing\r\n");
        assertThat(StsPolicy.parse(p.toText())).isEqualTo(p);
    }
}
