package org.depesche.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class TlsFailureTest {
    /** RFC 8460 4.3.1 and 4.3.2, in the order the RFC lists them. */
    private static final List<String> RFC_8460_RESULT_TYPES = List.of("starttls-not-supported",
            "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted", "validation-failure",
            "tlsa-invalid", "dnssec-invalid", "dane-required", "sts-policy-fetch-error", "sts-policy-invalid",
            "sts-webpki-invalid");

    @Test
    void eachRfc8460ResultTypeHasExactlyOneValueThatNamesIt() {
        Map<String, List<TlsFailure>> byType = Arrays.stream(TlsFailure.values()).filter(TlsFailure::isRfc8460)
                .collect(Collectors.groupingBy(f -> f.resultType().orElseThrow()));
        assertThat(byType.keySet()).containsExactlyInAnyOrderElementsOf(RFC_8460_RESULT_TYPES);
        assertThat(byType.values()).allSatisfy(values -> assertThat(values).hasSize(1));
        assertThat(Arrays.stream(TlsFailure.values()).filter(TlsFailure::isRfc8460).map(TlsFailure::label).toList())
                .containsExactlyElementsOf(RFC_8460_RESULT_TYPES);
    }

    @Test
    void depeschesOwnValuesAreFlaggedAndHaveNoResultTypeNorAnRfcName() {
        List<TlsFailure> own = Arrays.stream(TlsFailure.values()).filter(f -> !f.isRfc8460()).toList();
        assertThat(own).containsExactlyInAnyOrder(TlsFailure.STARTTLS_REFUSED, TlsFailure.HANDSHAKE_FAILED,
                TlsFailure.REQUIRETLS_NOT_OFFERED, TlsFailure.STS_MX_NOT_LISTED, TlsFailure.DOWNGRADE_REFUSED,
                TlsFailure.NO_AUTHENTICATED_TLS);
        assertThat(own).allSatisfy(f -> {
            assertThat(f.resultType()).isEqualTo(Optional.empty());
            assertThat(RFC_8460_RESULT_TYPES).doesNotContain(f.label());
        });
    }

    @Test
    void labelsAreUniqueSoAStoredLabelNamesOneValue() {
        assertThat(Arrays.stream(TlsFailure.values()).map(TlsFailure::label).distinct().count())
                .isEqualTo(TlsFailure.values().length);
    }

    @Test
    void certificateFailuresAreThoseWhereTheServerPresentedACertificateThatDidNotPass() {
        assertThat(Arrays.stream(TlsFailure.values()).filter(TlsFailure::certificateRejected).toList())
                .containsExactlyInAnyOrder(TlsFailure.CERTIFICATE_HOST_MISMATCH, TlsFailure.CERTIFICATE_EXPIRED,
                        TlsFailure.CERTIFICATE_NOT_TRUSTED, TlsFailure.VALIDATION_FAILURE, TlsFailure.TLSA_INVALID);
    }
}
