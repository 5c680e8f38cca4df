package org.depesche.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A domain as a value: one normalisation at construction, so equal values are one domain. */
class DomainTest {
    @ParameterizedTest
    @ValueSource(strings = {"xn--bcher-kva.test", "b\u00FCcher.test", "B\u00DCCHER.TEST", "b\u00FCcher.test.",
            "b\u00FCcher\u3002test", "XN--BCHER-KVA.TEST.", "Bu\u0308cher.test", " b\u00FCcher.test "})
    void everySpellingIsOneValueHoldingLowerCaseALabelsWithoutTheTrailingDot(String spelled) {
        Domain d = Domain.of(spelled);
        assertThat(d).isEqualTo(Domain.of("xn--bcher-kva.test")).hasSameHashCodeAs(Domain.of("xn--bcher-kva.test"));
        assertThat(d.asciiName()).isEqualTo("xn--bcher-kva.test");
        assertThat(d).hasToString("xn--bcher-kva.test");
    }

    @Test
    void theConstructorNormalisesTooSoNoRecordHoldsAnotherSpelling() {
        assertThat(new Domain("Example.ORG.")).isEqualTo(Domain.of("example.org"));
        assertThat(new Domain("Example.ORG.").asciiName()).isEqualTo("example.org");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ".", "a..b", "ev_il.test", "ab--c.test", "xn--zz.test", "../etc"})
    void aNameUts46RejectsIsNoDomain(String bad) {
        assertThatThrownBy(() -> Domain.of(bad)).isInstanceOf(InvalidDomainException.class);
        assertThat(Domain.ifValid(bad)).isEmpty();
    }

    @Test
    void ifValidGivesTheSameValueAsOf() {
        assertThat(Domain.ifValid("B\u00FCcher.Test.")).contains(Domain.of("xn--bcher-kva.test"));
    }

    @Test
    void aNullNameIsNoDomain() {
        assertThatThrownBy(() -> Domain.of(null)).isInstanceOf(InvalidDomainException.class);
    }
}
