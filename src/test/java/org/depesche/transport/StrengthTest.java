package org.depesche.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class StrengthTest {

    @Test
    void theScaleRunsFromPlaintextThroughPkixAndMtaStsToDane() {
        assertThat(Strength.values()).containsExactly(Strength.PLAINTEXT, Strength.ENCRYPTED, Strength.VERIFIED,
                Strength.MTA_STS_VERIFIED, Strength.DANE_VERIFIED);
        assertThat(Strength.DANE_VERIFIED.atLeast(Strength.MTA_STS_VERIFIED)).isTrue();
        assertThat(Strength.VERIFIED.atLeast(Strength.MTA_STS_VERIFIED)).isFalse();
    }

    @Test
    void onlyTheLevelsWithACheckedCertificateAreVerified() {
        assertThat(Arrays.stream(Strength.values()).filter(Strength::verified).toList())
                .containsExactly(Strength.VERIFIED, Strength.MTA_STS_VERIFIED, Strength.DANE_VERIFIED);
    }

    @Test
    void theLabelsAreTheOnesDepescheProbeHasAlwaysPrinted() {
        assertThat(Arrays.stream(Strength.values()).map(Strength::label).toList())
                .containsExactly("plaintext", "encrypted", "verified", "mta-sts-verified", "dane-verified");
    }
}
