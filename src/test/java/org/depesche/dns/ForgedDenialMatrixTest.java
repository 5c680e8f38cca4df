package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.depesche.dns.ForgeryMatrix.Cell;
import org.depesche.dns.ForgeryMatrix.Shape;
import org.depesche.dns.ForgeryMatrix.Target;
import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, THREATS T3 and T4 at the resolver: an on-path attacker between
 * the validator and a signed zone answers one query of a delivery with a
 * forgery (see {@link ForgeryMatrix}). Whatever he answers, the production
 * validating resolver must call the answer bogus or indeterminate: insecure
 * would switch DANE off, secure would hand over his records. Not in the
 * matrix yet: forgeries of the validator's own DS and DNSKEY fetches for
 * example.org and its parents (a forged DS NODATA at org would be the
 * "make the zone look unsigned" attack). Every answer of the zone hangs on
 * them, so they are targets of their own rather than one more forgery of a
 * delivery query; DnssecValidationTest's lame delegation covers a missing
 * DNSKEY. The DS fetch an attacker can provoke for any name he likes, for
 * the unknown signer zz9, is in every "zz9" cell.
 */
class ForgedDenialMatrixTest {
    static ForgeryMatrix matrix;

    @BeforeAll
    static void startHierarchies() throws Exception {
        matrix = new ForgeryMatrix(25, TestPki.selfSigned(ForgeryMatrix.MX_HOST).certificate(),
                TestPki.selfSigned(ForgeryMatrix.MX_HOST).certificate());
    }

    @AfterAll
    static void stopHierarchies() {
        matrix.close();
    }

    static Stream<Cell> cells() {
        return ForgeryMatrix.cells();
    }

    /** Each target in each shape of zone it is served from, with no attack: the control for the matrix. */
    static Stream<Arguments> honestTargets() {
        return Stream.of(Target.values()).flatMap(t -> Stream.of(false, true)
                .map(nsec3 -> Arguments.of(t, Shape.of(t.aliased, nsec3))));
    }

    @ParameterizedTest(name = "{0} in a {1} zone")
    @MethodSource("honestTargets")
    void withoutAnAttackTheLookupIsSecureAndFindsTheRealRecords(Target target, Shape shape) {
        // a bogus cell below means something only if the same lookup validates when nobody interferes
        TestDns dns = matrix.dns(shape);
        try (CachingDnsResolver resolver = dns.validatingResolver()) {
            DnsResult r = target.lookedUp(resolver, matrix.port());

            assertThat(r.status()).as(r.toString()).isEqualTo(DnssecStatus.SECURE);
            assertThat(r.outcome()).as(r.toString()).isEqualTo(DnsResult.Outcome.FOUND);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void aForgedAnswerIsBogusOrIndeterminateNeverInsecureNorSecure(Cell cell) {
        TestDns dns = matrix.attacked(cell);
        try (CachingDnsResolver resolver = dns.validatingResolver()) {
            DnsResult r = cell.target().lookedUp(resolver, matrix.port());

            assertThat(r.status()).as("%s gave %s", cell, r).isIn(DnssecStatus.BOGUS, DnssecStatus.INDETERMINATE);
        } finally {
            dns.stopAttacks();
        }
    }
}
