package org.depesche.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.depesche.config.Config;
import org.depesche.dns.DnsResult;
import org.depesche.dns.DnssecStatus;
import org.depesche.queue.TransportDemand;
import org.depesche.smtp.client.TlsRequirement;
import org.depesche.transport.Strength;
import org.depesche.transport.TlsFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/** The rules of RFC 7672 2.2, the Postfix levels and the downgrade memory, without a network. */
class PolicyEngineTest {
    private static final String MX = "mx.example.org";
    private static final String PIN = "ab".repeat(32);

    @TempDir
    Path dir;

    private PolicyEngine engine(String level, Config.Policy... table) {
        return new PolicyEngine(new Config.Delivery(level, null, null, null, null, null, null, Arrays.asList(table)),
                new FileDowngradeMemory(dir.resolve("policy")));
    }

    private static DnsResult tlsa(DnsResult.Outcome outcome, DnssecStatus status, int usage) throws Exception {
        Name owner = Name.fromString("_25._tcp." + MX + ".");
        List<org.xbill.DNS.Record> records = outcome == DnsResult.Outcome.FOUND
                ? List.of(new TLSARecord(owner, DClass.IN, 300, usage, 1, 1, new byte[32])) : List.of();
        return new DnsResult("_25._tcp." + MX, Type.TLSA, outcome, records, List.of(), status, status == DnssecStatus.BOGUS ? "forged" : "");
    }

    private static PolicyEngine.MxFacts secure(DnsResult tlsa) {
        return new PolicyEngine.MxFacts(MX, true, tlsa, Set.of(MX));
    }

    private MxDecision decide(PolicyEngine e, PolicyEngine.MxFacts facts) throws Exception {
        return e.forMx(e.forDomain("example.org", new DeliveryRequest(null)), facts);
    }

    private static TlsRequirement requirement(MxDecision d) {
        assertThat(d).isInstanceOf(MxDecision.Connect.class);
        return ((MxDecision.Connect) d).requirement();
    }

    @Test
    void theStaticLevelsMapToTheClientsRequirements() throws Exception {
        PolicyEngine.MxFacts plain = new PolicyEngine.MxFacts(MX, false, null, Set.of(MX));
        assertThat(requirement(decide(engine("none"), plain))).isInstanceOf(TlsRequirement.None.class);
        assertThat(requirement(decide(engine("may"), plain))).isInstanceOf(TlsRequirement.Opportunistic.class);
        assertThat(requirement(decide(engine("encrypt"), plain))).isInstanceOf(TlsRequirement.Encrypted.class);
        assertThat(requirement(decide(engine("verify"), plain))).isEqualTo(new TlsRequirement.Pkix(Set.of(MX)));
        assertThat(requirement(decide(engine("dane", new Config.Policy("example.org", "verify", List.of(PIN))), plain)))
                .isEqualTo(new TlsRequirement.Pinned(Set.of(PIN)));
    }

    @Test
    void daneWithSecureUsableTlsaRequiresDaneWithTheMxNameAsReference() throws Exception {
        TlsRequirement r = requirement(decide(engine("dane"), secure(tlsa(DnsResult.Outcome.FOUND, DnssecStatus.SECURE, 3))));
        assertThat(r).isInstanceOfSatisfying(TlsRequirement.Dane.class, d -> {
            assertThat(d.hasUsableRecords()).isTrue();
            assertThat(d.referenceNames()).containsExactly(MX);
        });
    }

    @Test
    void daneWithOnlyUnusableTlsaRecordsStillRequiresTls() throws Exception {
        assertThat(requirement(decide(engine("dane"), secure(tlsa(DnsResult.Outcome.FOUND, DnssecStatus.SECURE, 1)))))
                .isInstanceOf(TlsRequirement.Encrypted.class);
    }

    @Test
    void daneWithoutSecureTlsaFallsToOpportunisticButDaneOnlyDefers() throws Exception {
        PolicyEngine.MxFacts none = secure(tlsa(DnsResult.Outcome.NODATA, DnssecStatus.SECURE, 3));
        assertThat(requirement(decide(engine("dane"), none))).isInstanceOf(TlsRequirement.Opportunistic.class);
        assertThat(decide(engine("dane-only"), none)).isInstanceOfSatisfying(MxDecision.Defer.class,
                defer -> assertThat(defer.failure()).isEqualTo(TlsFailure.DANE_REQUIRED));
        PolicyEngine.MxFacts unsigned = new PolicyEngine.MxFacts(MX, false, null, Set.of(MX));
        assertThat(requirement(decide(engine("dane"), unsigned))).isInstanceOf(TlsRequirement.Opportunistic.class);
        assertThat(((MxDecision.Defer) decide(engine("dane-only"), unsigned)).reason()).contains("not DNSSEC-signed");
        assertThat(((MxDecision.Defer) decide(engine("dane-only"), unsigned)).failure()).isEqualTo(TlsFailure.DANE_REQUIRED);
    }

    @Test
    void aBogusOrUnansweredTlsaLookupDefersAndNeverFallsBack() throws Exception {
        for (DnssecStatus s : List.of(DnssecStatus.BOGUS, DnssecStatus.INDETERMINATE)) {
            MxDecision d = decide(engine("dane"), secure(tlsa(DnsResult.Outcome.NODATA, s, 3)));
            assertThat(d).isInstanceOfSatisfying(MxDecision.Defer.class,
                    defer -> {
                        assertThat(defer.reason()).contains("not falling back");
                        assertThat(defer.failure()).isEqualTo(TlsFailure.DNSSEC_INVALID);
                    });
        }
        assertThat(decide(engine("dane"), secure(tlsa(DnsResult.Outcome.FAILED, DnssecStatus.INDETERMINATE, 3))))
                .isInstanceOf(MxDecision.Defer.class);
    }

    @Test
    void theMemoryOfTlsRaisesOpportunisticToMandatoryTls() throws Exception {
        PolicyEngine e = engine("may");
        e.memory().remember("example.org", Strength.ENCRYPTED, MX, Instant.parse("2026-11-01T10:00:00Z"));
        MxDecision d = decide(e, new PolicyEngine.MxFacts(MX, false, null, Set.of(MX)));
        assertThat(d).isEqualTo(new MxDecision.Connect(new TlsRequirement.Encrypted(), true));
    }

    @Test
    void theMemoryOfDaneRefusesAnMxThatLostItsTlsaRecords() throws Exception {
        PolicyEngine e = engine("dane");
        e.memory().remember("example.org", Strength.DANE_VERIFIED, MX, Instant.parse("2026-11-01T10:00:00Z"));
        MxDecision d = decide(e, secure(tlsa(DnsResult.Outcome.NODATA, DnssecStatus.SECURE, 3)));
        assertThat(((MxDecision.Defer) d).failure()).isEqualTo(TlsFailure.DOWNGRADE_REFUSED);
        assertThat(((MxDecision.Defer) d).reason()).isEqualTo("refusing delivery to example.org without DANE (" + MX
                + " has no usable DNSSEC-signed TLSA records now): it was reached with DANE-verified TLS on 2026-11-01 10:00 UTC ("
                + MX + "); run `depesche policy reset example.org` if this is intended");
        assertThat(requirement(decide(e, secure(tlsa(DnsResult.Outcome.FOUND, DnssecStatus.SECURE, 3)))))
                .isInstanceOf(TlsRequirement.Dane.class);
    }

    @Test
    void theMemoryOfAVerifiedServerRequiresPkixWithTheMxName() throws Exception {
        PolicyEngine e = engine("dane");
        e.memory().remember("example.org", Strength.VERIFIED, MX, Instant.EPOCH);
        MxDecision d = decide(e, new PolicyEngine.MxFacts(MX, false, null, Set.of(MX)));
        assertThat(d).isEqualTo(new MxDecision.Connect(new TlsRequirement.Pkix(Set.of(MX)), true));
        assertThat(requirement(decide(e, secure(tlsa(DnsResult.Outcome.FOUND, DnssecStatus.SECURE, 3)))))
                .isInstanceOf(TlsRequirement.Dane.class);
    }

    @Test
    void aNameThatIsNoDomainIsTheTypedFailureNotAPolicy() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine("dane").forDomain("exa!mple.org", new DeliveryRequest(null)))
                .isInstanceOf(org.depesche.mail.InvalidDomainException.class);
    }

    private MxDecision decide(PolicyEngine e, TransportDemand demand, PolicyEngine.MxFacts facts) throws Exception {
        DomainPolicy p = e.forDomain("example.org", new DeliveryRequest(null));
        return e.forMx(new DomainPolicy(p.domain(), p.level(), p.pins(), p.remembered(), p.mtaSts(), demand), facts);
    }

    private static final TransportDemand SECURE = TransportDemand.NONE.atLeast(Strength.VERIFIED, "secure");
    private static final PolicyEngine.MxFacts UNSIGNED = new PolicyEngine.MxFacts(MX, false, null, Set.of(MX));

    @Test
    void anEncryptFloorMakesOpportunisticTlsMandatory() throws Exception {
        TransportDemand encrypt = TransportDemand.NONE.atLeast(Strength.ENCRYPTED, "encrypt");
        assertThat(requirement(decide(engine("may"), encrypt, UNSIGNED))).isEqualTo(new TlsRequirement.Encrypted());
        assertThat(requirement(decide(engine("none"), encrypt, UNSIGNED))).isEqualTo(new TlsRequirement.Encrypted());
    }

    @Test
    void anAuthenticatedFloorUsesPkixOnTheNameOfADnssecSecureMx() throws Exception {
        PolicyEngine.MxFacts signedNoTlsa = secure(tlsa(DnsResult.Outcome.NODATA, DnssecStatus.SECURE, 3));
        assertThat(requirement(decide(engine("may"), SECURE, signedNoTlsa))).isEqualTo(new TlsRequirement.Pkix(Set.of(MX)));
        assertThat(requirement(decide(engine("dane"), SECURE, signedNoTlsa))).isEqualTo(new TlsRequirement.Pkix(Set.of(MX)));
    }

    @Test
    void anAuthenticatedFloorUsesDaneWhereTheDomainPublishesItWhateverTheLevel() throws Exception {
        PolicyEngine.MxFacts withTlsa = secure(tlsa(DnsResult.Outcome.FOUND, DnssecStatus.SECURE, 3));
        assertThat(requirement(decide(engine("may"), SECURE, withTlsa))).isInstanceOf(TlsRequirement.Dane.class);
    }

    @Test
    void anAuthenticatedFloorRefusesAnUnsignedMxWithoutMtaStsInWords() throws Exception {
        assertThat(decide(engine("dane"), SECURE, UNSIGNED)).isEqualTo(new MxDecision.Refuse("5.7.10", TlsFailure.NO_AUTHENTICATED_TLS,
                "the MX records of example.org are not DNSSEC-signed and example.org publishes no MTA-STS policy,"
                        + " so mx.example.org cannot be authenticated"));
    }

    @Test
    void anAuthenticatedFloorAcceptsStaticPinsButNotAStaticVerifyEntryOnAnUnsignedMx() throws Exception {
        // A forged MX answer could name any host with a public certificate for its own name: PKIX alone proves nothing.
        assertThat(decide(engine("dane", new Config.Policy("example.org", "verify", List.of())), SECURE, UNSIGNED))
                .isEqualTo(new MxDecision.Refuse("5.7.10", TlsFailure.NO_AUTHENTICATED_TLS, "the MX records of example.org are not DNSSEC-signed and"
                        + " example.org publishes no MTA-STS policy, so mx.example.org cannot be authenticated"
                        + " (the [[delivery.policy]] entry verify without pins cannot prove the MX name itself)"));
        assertThat(decide(engine("verify"), SECURE, UNSIGNED)).isInstanceOf(MxDecision.Refuse.class);
        String pin = "ab".repeat(32);
        assertThat(requirement(decide(engine("dane", new Config.Policy("example.org", "verify", List.of(pin))), SECURE, UNSIGNED)))
                .isEqualTo(new TlsRequirement.Pinned(Set.of(pin)));
    }

    @Test
    void tlsRequiredNoLiftsDaneButNotAStaticEntryNorAnotherDemand() throws Exception {
        TransportDemand no = TransportDemand.NONE.withTlsRequiredNo(true);
        PolicyEngine.MxFacts withTlsa = secure(tlsa(DnsResult.Outcome.FOUND, DnssecStatus.SECURE, 3));
        assertThat(requirement(decide(engine("dane-only"), no, withTlsa))).isEqualTo(new TlsRequirement.Opportunistic());
        assertThat(requirement(decide(engine("dane", new Config.Policy("example.org", "encrypt", List.of())), no, withTlsa)))
                .isEqualTo(new TlsRequirement.Encrypted());
        assertThat(requirement(decide(engine("dane"), no.withRequireTls(true), withTlsa))).isInstanceOf(TlsRequirement.Dane.class);
    }
}
