package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Optional;

import org.depesche.policy.PolicyEngine;
import org.depesche.queue.TransportDemand;
import org.depesche.transport.Strength;
import org.depesche.transport.TlsFailure;
import org.junit.jupiter.api.Test;

/** Which client failures make a host count toward a bounce: decided on the typed failure, for delivery and probe alike. */
class DemandsTest {
    private static final TransportDemand REQUIRETLS = TransportDemand.NONE.withRequireTls(true);
    private static final TransportDemand SECURE = TransportDemand.NONE.atLeast(Strength.VERIFIED, "secure sender");
    private static final TransportDemand ENCRYPT = TransportDemand.NONE.atLeast(Strength.ENCRYPTED, "encrypt");

    @Test
    void noStartTlsFailsEveryDemandButNotAnOrdinaryMessage() {
        Optional<TlsFailure> f = Optional.of(TlsFailure.STARTTLS_NOT_SUPPORTED);
        assertThat(Demands.failsDemand(f, ENCRYPT)).isTrue();
        assertThat(Demands.failsDemand(f, SECURE)).isTrue();
        assertThat(Demands.failsDemand(f, REQUIRETLS)).isTrue();
        assertThat(Demands.failsDemand(f, TransportDemand.NONE)).isFalse();
    }

    @Test
    void aRejectedCertificateFailsOnlyADemandForAnAuthenticatedServer() {
        for (TlsFailure f : Arrays.stream(TlsFailure.values()).filter(TlsFailure::certificateRejected).toList()) {
            assertThat(Demands.failsDemand(Optional.of(f), SECURE)).as(f.label()).isTrue();
            assertThat(Demands.failsDemand(Optional.of(f), REQUIRETLS)).as(f.label()).isTrue();
            assertThat(Demands.failsDemand(Optional.of(f), ENCRYPT)).as(f.label()).isFalse();
        }
    }

    @Test
    void aMissingRequireTlsFailsAnAuthenticatedDemandAndBouncesWith5730() {
        Optional<TlsFailure> f = Optional.of(TlsFailure.REQUIRETLS_NOT_OFFERED);
        assertThat(Demands.failsDemand(f, REQUIRETLS)).isTrue();
        assertThat(Demands.status(f)).isEqualTo(PolicyEngine.REQUIRETLS_NEEDED);
        assertThat(Demands.status(Optional.of(TlsFailure.TLSA_INVALID))).isEqualTo(PolicyEngine.TLS_NEEDED);
    }

    @Test
    void failuresThatMayPassByThemselvesNeverBounce() {
        for (TlsFailure f : new TlsFailure[] {TlsFailure.HANDSHAKE_FAILED, TlsFailure.STARTTLS_REFUSED}) {
            assertThat(Demands.failsDemand(Optional.of(f), REQUIRETLS)).as(f.label()).isFalse();
            assertThat(Demands.failsDemand(Optional.of(f), ENCRYPT)).as(f.label()).isFalse();
        }
        assertThat(Demands.failsDemand(Optional.empty(), REQUIRETLS)).isFalse();
    }
}
