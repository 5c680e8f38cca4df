package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.TestPki;
import org.depesche.transport.TlsFailure;

class PolicyFetcherTest {
    static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.org\r\nmax_age: 86400\r\n";
    static TestPki.Identity ca;
    static SSLContext trust;

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca("Test MTA-STS CA");
        trust = PolicyServer.clientTrusting(ca);
    }

    @Test
    void aGoodPolicyOverValidatedHttpsIsFetchedAndParsed() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).serve(POLICY)) {
            StsPolicy p = server.fetcher(trust).fetch("example.org");
            assertThat(p.mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
            assertThat(p.mx()).containsExactly("mx.example.org");
        }
    }

    @Test
    void aContentTypeWithACharsetParameterIsStillTextPlain() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost"))) {
            server.respond(200, "text/plain; charset=utf-8", POLICY.getBytes(StandardCharsets.US_ASCII));
            assertThat(server.fetcher(trust).fetch("example.org").maxAge()).isEqualTo(86400);
        }
    }

    @Test
    void aRedirectIsRefusedAndNotFollowed() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost"))) {
            server.redirectTo("https://localhost:1/.well-known/mta-sts.txt");
            assertThatThrownBy(() -> server.fetcher(trust).fetch("example.org"))
                    .isInstanceOf(PolicyException.class).hasMessageContaining("HTTP 302");
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    @Test
    void aStatusOtherThan200IsRefused() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost"))) {
            server.respond(404, "text/plain", "not here".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> server.fetcher(trust).fetch("example.org")).hasMessageContaining("HTTP 404")
                    .isInstanceOfSatisfying(PolicyException.class, e -> {
                        assertThat(e.reason()).isEqualTo(PolicyException.Reason.REFUSED);
                        assertThat(e.reason().tlsFailure()).contains(TlsFailure.STS_POLICY_FETCH_ERROR);
                    });
        }
    }

    @Test
    void aPolicyLargerThan64KibIsRefused() throws Exception {
        byte[] big = (POLICY + "x-pad: " + "a".repeat(PolicyFetcher.MAX_POLICY_BYTES) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost"))) {
            server.respond(200, "text/plain", big);
            assertThatThrownBy(() -> server.fetcher(trust).fetch("example.org")).hasMessageContaining("larger than 65536 bytes")
                    .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.reason()).isEqualTo(PolicyException.Reason.REFUSED));
        }
    }

    @Test
    void aContentTypeOtherThanTextPlainIsRefused() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost"))) {
            server.respond(200, "text/html", POLICY.getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> server.fetcher(trust).fetch("example.org")).hasMessageContaining("not text/plain");
        }
    }

    @Test
    void aCertificateFromAnUntrustedIssuerIsRefused() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.selfSigned("localhost")).serve(POLICY)) {
            assertThatThrownBy(() -> server.fetcher(trust).fetch("example.org")).hasMessageContaining("localhost")
                    .isInstanceOfSatisfying(PolicyException.class, e -> {
                        assertThat(e.reason()).isEqualTo(PolicyException.Reason.CERTIFICATE);
                        assertThat(e.reason().tlsFailure()).contains(TlsFailure.STS_WEBPKI_INVALID);
                    });
            assertThat(server.requests()).isZero();
        }
    }

    @Test
    void aTrustedCertificateForAnotherNameIsRefused() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "mta-sts.other.example")).serve(POLICY)) {
            assertThatThrownBy(() -> server.fetcher(trust).fetch("example.org")).isInstanceOf(PolicyException.class);
            assertThat(server.requests()).isZero();
        }
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.expiredLeaf(ca, "localhost")).serve(POLICY)) {
            assertThatThrownBy(() -> server.fetcher(trust).fetch("example.org")).isInstanceOf(PolicyException.class);
            assertThat(server.requests()).isZero();
        }
    }

    /** THREATS T14: a deadline short enough for a test; the margin covers a loaded machine, never the stall itself. */
    static final Duration DEADLINE = Duration.ofSeconds(2);
    static final Duration MARGIN = Duration.ofSeconds(8);

    /**
     * Fetches on a thread of its own and gives it deadline plus margin: a
     * fetch that hangs fails the test instead of hanging it. The failure it
     * ended with, and how long that took.
     */
    private static Ended fetchExpectingFailure(PolicyFetcher fetcher) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<PolicyException> failure = CompletableFuture.supplyAsync(() -> {
            try {
                fetcher.fetch("example.org");
                return null;
            } catch (PolicyException e) {
                return e;
            }
        });
        PolicyException e = failure.get(DEADLINE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).as("the fetch fails").isNotNull();
        return new Ended(e, Duration.ofNanos(System.nanoTime() - start));
    }

    private record Ended(PolicyException failure, Duration after) {
    }

    @Test
    void aPolicyHostThatTricklesTheBodyIsGivenUpAtTheDeadlineAndItsConnectionClosed() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).trickle(POLICY, Duration.ofMillis(200))) {
            Ended ended = fetchExpectingFailure(server.fetcher(trust, DEADLINE));
            assertThat(ended.failure().reason()).isEqualTo(PolicyException.Reason.DEADLINE);
            assertThat(ended.after()).isGreaterThanOrEqualTo(DEADLINE).isLessThan(DEADLINE.plus(MARGIN));
            // The host's next byte finds the connection closed: nothing is left reading it.
            for (int i = 0; i < 100 && server.abandoned() == 0; i++) Thread.sleep(100);
            assertThat(server.abandoned()).isEqualTo(1);
        }
    }

    @Test
    void aPolicyHostThatSendsTheHeadersAndThenNothingIsGivenUpAtTheDeadline() throws Exception {
        try (PolicyServer server = new PolicyServer(TestPki.leaf(ca, "localhost")).stallAfterHeaders(POLICY)) {
            Ended ended = fetchExpectingFailure(server.fetcher(trust, DEADLINE));
            assertThat(ended.failure().reason()).isEqualTo(PolicyException.Reason.DEADLINE);
            assertThat(ended.after()).isLessThan(DEADLINE.plus(MARGIN));
        }
    }

    @Test
    void aGrammarErrorIsAnInvalidPolicyAndFailuresOnThisSideAreNotTheDomainsToBeReported() {
        assertThat(PolicyException.Reason.INVALID.tlsFailure()).contains(TlsFailure.STS_POLICY_INVALID);
        assertThat(PolicyException.Reason.DEADLINE.tlsFailure()).contains(TlsFailure.STS_POLICY_FETCH_ERROR);
        assertThat(PolicyException.Reason.UNREACHABLE.tlsFailure()).contains(TlsFailure.STS_POLICY_FETCH_ERROR);
        assertThat(PolicyException.Reason.BUSY.tlsFailure()).isEmpty();
        assertThat(PolicyException.Reason.INTERRUPTED.tlsFailure()).isEmpty();
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(PolicyException.class,
                () -> StsPolicy.parse("version: STSv1\nmode: enforce\n")).reason().tlsFailure())
                .contains(TlsFailure.STS_POLICY_INVALID);
    }

    @Test
    void theProductionUrlIsTheWellKnownPathOnTheMtaStsHost() {
        assertThat(PolicyFetcher.policyUri("example.org").toString())
                .isEqualTo("https://mta-sts.example.org/.well-known/mta-sts.txt");
    }
}
