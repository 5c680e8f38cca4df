package org.depesche.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.depesche.dns.Addresses;
import org.depesche.dns.DnsResult;
import org.depesche.dns.TestDns;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.TlsLevel;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 8's fix: the second guard and the proof leave legitimate
 * setups deliverable: an IPv4-only MX host in an unsigned child zone of a
 * signed domain, a host in a zone whose NSEC3 has too many iterations.
 */
class HostFactsGuardTest {
    @Test
    void anIpv4OnlyMxHostInAnUnsignedChildZoneOfASignedDomainIsUsable() {
        try (TestDns dns = TestDns.builder()
                .signedZone("example.test").mx(10, "mx.corp.example.test")
                .unsignedZone("corp.example.test").a("mx.corp.example.test", "127.0.0.1")
                .start()) {
            var resolver = dns.validatingResolver();
            DnsResult mx = resolver.mx("example.test");
            assertThat(mx.isSecure()).as(mx.toString()).isTrue();
            DomainPolicy p = new DomainPolicy("example.test", TlsLevel.DANE, List.of(), Optional.empty());
            MxHost host = new MxHost("mx.corp.example.test", 10, true);

            Addresses a = new HostFacts(resolver, 25).addresses(p, host);

            System.out.println(a);
            assertThat(HostFacts.unusable(p, host, a)).isNull();
        }
    }

    @Test
    void aHostInAZoneWithCostlyNsec3AndNoTlsaIsNotStuck() {
        try (TestDns dns = TestDns.builder()
                .signedZone("costly.test").nsec3(500).mx(10, "mx.costly.test").a("mx.costly.test", "127.0.0.1")
                .aaaa("mx.costly.test", "::1")
                .start()) {
            var resolver = dns.validatingResolver();
            System.out.println("raw tlsa: " + resolver.tlsa(25, "mx.costly.test"));
            DomainPolicy p = new DomainPolicy("costly.test", TlsLevel.DANE, List.of(), Optional.empty());
            MxHost host = new MxHost("mx.costly.test", 10, resolver.mx("costly.test").isSecure());
            HostFacts facts = new HostFacts(resolver, 25);
            Addresses a = facts.addresses(p, host);
            var f = facts.facts(p, host, a);

            System.out.println(f);
            assertThat(f.tlsa().outcome()).as(f.tlsa().toString()).isNotEqualTo(DnsResult.Outcome.FAILED);
        }
    }
}
