package org.depesche.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one comparison key of a domain (UTS #46, nontransitional, to A-labels). */
class DomainNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"evil.test", "evil\u3002test", "evil\uFF0Etest", "evil\uFF61test", "EVIL.TEST", "Evil.Test.",
            "\uFF45\uFF56\uFF49\uFF4C.\uFF54\uFF45\uFF53\uFF54", "\uFF25\uFF36\uFF29\uFF2C\uFF0E\uFF34\uFF25\uFF33\uFF34", " evil.test "})
    void everySpellingOfADomainHasOneKey(String spelled) {
        assertThat(DomainName.key(spelled)).isEqualTo("evil.test");
    }

    @Test
    void uLabelsBecomeLowerCaseALabelsAfterNfcAndCaseFolding() {
        assertThat(DomainName.key("B\u00FCcher.test")).isEqualTo("xn--bcher-kva.test");
        assertThat(DomainName.key("Bu\u0308cher.test")).isEqualTo("xn--bcher-kva.test"); // NFD input, NFC key
        assertThat(DomainName.key("XN--BCHER-KVA.test")).isEqualTo("xn--bcher-kva.test");
        assertThat(DomainName.key("b\u00FCcher\u3002test")).isEqualTo("xn--bcher-kva.test");
    }

    @Test
    void processingIsNontransitionalSoSharpSKeepTheirOwnLabels() {
        // UTS #46 4: transitional processing would make fa\u00DF.de into fass.de, another domain.
        assertThat(DomainName.key("fa\u00DF.de")).isEqualTo("xn--fa-hia.de").isNotEqualTo(DomainName.key("fass.de"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ".", "evil..test", "evil\u3002\u3002test", "-evil.test", "evil-.test", "ab--c.test",
            "ev_il.test", "ev il.test", "evil/test", "xn--zz.test", "../etc"})
    void aNameUts46RejectsIsTheTypedFailureWithTheReasonInWords(String bad) {
        assertThatThrownBy(() -> DomainName.key(bad)).isInstanceOf(InvalidDomainException.class)
                .satisfies(e -> assertThat(((InvalidDomainException) e).reason()).isNotBlank());
        assertThat(DomainName.isValid(bad)).isFalse();
    }

    @Test
    void aLabelLongerThan63OctetsIsRejected() {
        assertThatThrownBy(() -> DomainName.key("a".repeat(64) + ".test"))
                .isInstanceOf(InvalidDomainException.class).hasMessageContaining("a label longer than 63 octets");
    }

    @Test
    void anAddressKeepsItsDomainAsTheKeySoTwoSpellingsAreOneAddress() {
        assertThat(MailAddress.parse("d1@evil\u3002test")).isEqualTo(MailAddress.parse("d1@EVIL.test"));
        assertThat(MailAddress.parse("d1@[127.0.0.1]").domain()).isEqualTo("[127.0.0.1]");
        assertThatThrownBy(() -> MailAddress.parse("d1@evil..test")).isInstanceOf(InvalidDomainException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mx.b\u00FCcher.test", "MX.B\u00DCCHER.TEST.", "mx.xn--bcher-kva.test", "mx.b\u00FCcher\u3002test"})
    void aHostKeyIsTheDomainKeyForEveryNameUts46Accepts(String spelled) {
        assertThat(DomainName.hostKey(spelled)).isEqualTo("mx.xn--bcher-kva.test").isEqualTo(DomainName.key(spelled));
    }

    @Test
    void aHostNameUts46RejectsIsComparedAsDnsCompareIt() {
        // An '_' or a "--" in the third and fourth place is no IDNA domain, yet DNS (RFC 4343) and
        // host name syntax (RFC 1123 2.1) allow them: lower case, no trailing dot, and the root stays ".".
        assertThat(DomainName.hostKey("Mail_1.Example.ORG.")).isEqualTo("mail_1.example.org");
        assertThat(DomainName.hostKey("AB--CD.example.org")).isEqualTo("ab--cd.example.org");
        assertThat(DomainName.hostKey(".")).isEqualTo(".");
    }
}
