package org.depesche.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.depesche.transport.HopRequirement;
import org.depesche.transport.HopRequirement.RequireTls;
import org.depesche.transport.Strength;
import org.junit.jupiter.api.Test;

/** The one rule that turns a message's demand into what every hop must give (RFC 8689 4.2.1, 5; issue 4). */
class TransportDemandTest {
    private static final TransportDemand REQUIRETLS = TransportDemand.NONE.withRequireTls(true);
    private static final TransportDemand SECURE = TransportDemand.NONE.atLeast(Strength.VERIFIED, "secure sender");
    private static final TransportDemand ENCRYPT = TransportDemand.NONE.atLeast(Strength.ENCRYPTED, "encrypt");

    @Test
    void anOrdinaryMessageNeedsNothingOfItsOwn() {
        assertThat(TransportDemand.NONE.needs()).isEqualTo(HopRequirement.NOTHING);
        assertThat(TransportDemand.NONE.withTlsRequiredNo(true).needs().any()).isFalse();
        assertThat(TransportDemand.NONE.demandsAnything()).isFalse();
    }

    @Test
    void requireTlsNeedsAnAuthenticatedServerThatOffersRequireTls() {
        assertThat(REQUIRETLS.needs()).isEqualTo(new HopRequirement(Strength.VERIFIED, RequireTls.REQUIRED));
        assertThat(REQUIRETLS.needs().authenticated()).isTrue();
    }

    @Test
    void aBounceOfARequireTlsMessageStillNeedsAnAuthenticatedServerButSendsTheParameterOnlyWhereOffered() {
        assertThat(REQUIRETLS.needs(true)).isEqualTo(new HopRequirement(Strength.VERIFIED, RequireTls.WHEN_OFFERED));
    }

    @Test
    void aSecureSendersVerifyFloorNeedsAnAuthenticatedServerAndOffersRequireTlsWhereItCan() {
        assertThat(SECURE.needs()).isEqualTo(new HopRequirement(Strength.VERIFIED, RequireTls.WHEN_OFFERED));
        assertThat(SECURE.needs(true)).isEqualTo(SECURE.needs());
    }

    @Test
    void anEncryptFloorNeedsTlsButNoAuthenticationNorTheParameter() {
        HopRequirement needs = ENCRYPT.needs();
        assertThat(needs).isEqualTo(new HopRequirement(Strength.ENCRYPTED, RequireTls.NO));
        assertThat(needs.encrypted()).isTrue();
        assertThat(needs.authenticated()).isFalse();
    }

    @Test
    void theFloorOnlyRisesAndCannotNameAParticularKindOfAuthentication() {
        assertThat(SECURE.atLeast(Strength.ENCRYPTED, "lower").floor()).isEqualTo(Strength.VERIFIED);
        assertThat(SECURE.atLeast(Strength.ENCRYPTED, "lower").because()).isEqualTo("secure sender");
        assertThatThrownBy(() -> TransportDemand.NONE.atLeast(Strength.DANE_VERIFIED, "dane"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFloorKeepsTheNamesSpoolFilesAndLogsHaveAlwaysHeld() {
        assertThat(TransportDemand.NONE.floorName()).isEqualTo("NONE");
        assertThat(ENCRYPT.floorName()).isEqualTo("ENCRYPTED");
        assertThat(SECURE.floorName()).isEqualTo("AUTHENTICATED");
        for (TransportDemand d : new TransportDemand[] {TransportDemand.NONE, ENCRYPT, SECURE})
            assertThat(TransportDemand.floorNamed(d.floorName())).isEqualTo(d.floor());
    }
}
