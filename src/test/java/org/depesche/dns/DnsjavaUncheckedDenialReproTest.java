package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Documents third-party behaviour, not Depesche's (issue 8): dnsjava 3.6.3's
 * {@link ValidatingResolver} used directly against the signed test hierarchy.
 * The attacker answers the TLSA query with a denial (NXDOMAIN or NODATA)
 * whose only authority record is the zone's SOA with a junk RRSIG by a
 * signer nobody has asked for (zz9.example.org), and makes the validator's
 * DS fetch for that signer fail. {@code validateNameErrorResponse} ends in
 * {@code .exceptionally(ex -> null)} and {@code validateNodataResponse}
 * returns from its {@code handleAsync} when {@code ex != null}: the failed
 * fetch is swallowed and the denial comes back UNCHECKED, with no AD bit,
 * no SERVFAIL and no validation reason. A fetch fails that way when the
 * head resolver completes it exceptionally: a dropped query (timeout) with
 * a plain {@link SimpleResolver}, and also a SERVFAIL with Depesche's
 * {@link BoundedResolver}, which turns upstream errors into exceptions. A
 * plain SimpleResolver hands a SERVFAIL to the validator as a message, and
 * that case is caught (the last test). When dnsjava is fixed the
 * parameterised test fails and this class should go.
 */
class DnsjavaUncheckedDenialReproTest {
    static final String TLSA = "_25._tcp.mx.example.org";
    static TestDns dns;

    @BeforeAll
    static void startDns() {
        dns = TestDns.builder().signedZone("example.org").mx(10, "mx.example.org").a("mx.example.org", "127.0.0.1")
                .tlsa(TLSA, 3, 1, 1, DnssecValidationTest.SPKI_SHA256).start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @AfterEach
    void stopAttacks() {
        dns.stopAttacks();
    }

    /** The forged denial, how the validator's DS fetch for its signer fails, and the head resolver the validator asks. */
    enum Case {
        NXDOMAIN_DS_DROPPED_PLAIN_HEAD(true, TestDns.Attack.TIMEOUT, false, Rcode.NXDOMAIN),
        NODATA_DS_DROPPED_PLAIN_HEAD(false, TestDns.Attack.TIMEOUT, false, Rcode.NOERROR),
        NXDOMAIN_DS_SERVFAIL_DEPESCHES_BOUNDED_HEAD(true, TestDns.Attack.SERVFAIL, true, Rcode.NXDOMAIN),
        NODATA_DS_SERVFAIL_DEPESCHES_BOUNDED_HEAD(false, TestDns.Attack.SERVFAIL, true, Rcode.NOERROR);

        final boolean nxdomain;
        final TestDns.Attack onDs;
        final boolean boundedHead;
        final int forgedRcode;

        Case(boolean nxdomain, TestDns.Attack onDs, boolean boundedHead, int forgedRcode) {
            this.nxdomain = nxdomain;
            this.onDs = onDs;
            this.boundedHead = boundedHead;
            this.forgedRcode = forgedRcode;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Case.class)
    void dnsjavaReturnsTheForgedDenialUncheckedWithoutAdAndWithoutServfail(Case c) throws Exception {
        forgeDenial(c.nxdomain, c.onDs);

        Message m = validate(c.boundedHead);

        assertThat(m.getHeader().getFlag(Flags.AD)).as("AD").isFalse();
        assertThat(Rcode.string(m.getRcode())).as("rcode").isEqualTo(Rcode.string(c.forgedRcode));
        assertThat(Answer.validatorReason(m)).as("no reason: the validator never decided").isEmpty();
    }

    @Test
    void withAPlainSimpleResolverAServfailForTheDsIsHandedOverAsAMessageAndTheDenialIsBogus() {
        forgeDenial(true, TestDns.Attack.SERVFAIL);

        Message m = validate(false);

        assertThat(Rcode.string(m.getRcode())).isEqualTo("SERVFAIL");
        assertThat(Answer.validatorReason(m)).contains("zz9.example.org");
    }

    private static void forgeDenial(boolean nxdomain, TestDns.Attack onDs) {
        dns.attack(TLSA, Type.TLSA, nxdomain ? TestDns.Attack.NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER
                : TestDns.Attack.NODATA_SIGNED_BY_UNKNOWN_SIGNER);
        dns.attack(dns.unknownSigner(TLSA, Type.TLSA), Type.DS, onDs);
    }

    /** Asks a fresh validator (empty key cache) for the TLSA record and prints what it says, reason included. */
    private static Message validate(boolean boundedHead) {
        SimpleResolver plain = new SimpleResolver(dns.address());
        plain.setTimeout(TestDns.testLimits().time().query());
        Resolver head = boundedHead ? new BoundedResolver(plain, TestDns.testLimits(), dns.clock()) : plain;
        ValidatingResolver validator = new ValidatingResolver(head, dns.clock());
        try {
            validator.getTrustAnchors().clear();
            validator.loadTrustAnchors(new ByteArrayInputStream(dns.trustAnchor().getBytes(StandardCharsets.US_ASCII)));
            Message query = Message.newQuery(Record.newRecord(Name.fromString(TLSA + "."), Type.TLSA, DClass.IN));
            Message m = validator.sendAsync(query).toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
            String reason = Answer.validatorReason(m);
            System.out.println("dnsjava answered "
                    + Rcode.string(m.getRcode()) + " AD=" + m.getHeader().getFlag(Flags.AD)
                    + (reason.isEmpty() ? " with no validation reason" : " reason: " + reason));
            return m;
        } catch (Exception e) {
            throw new AssertionError("dnsjava failed instead of answering", e);
        }
    }
}
