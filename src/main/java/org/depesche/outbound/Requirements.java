package org.depesche.outbound;

import org.depesche.dns.DnsResult;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.MxDecision;
import org.depesche.policy.PolicyEngine;
import org.depesche.policy.TlsLevel;
import org.depesche.smtp.client.TlsRequirement;

/** What a requirement from the policy engine means, in the words `depesche probe` shows. */
final class Requirements {
    private Requirements() {
    }

    /** "none", "may", "encrypt", "dane", "pkix", "pinned". */
    static String label(TlsRequirement r) {
        return switch (r) {
            case TlsRequirement.None n -> "none";
            case TlsRequirement.Opportunistic o -> "may";
            case TlsRequirement.Encrypted e -> "encrypt";
            case TlsRequirement.Dane d -> "dane";
            case TlsRequirement.Pkix x -> "pkix";
            case TlsRequirement.Pinned x -> "pinned";
        };
    }


    /** Why the engine asks what it asks of this host. */
    static String describe(DomainPolicy p, PolicyEngine.MxFacts facts, MxDecision.Connect c) {
        String host = facts.host();
        String memory = c.raisedByMemory() && !p.demand().demandsAnything() ? " (raised by the downgrade memory: "
                + p.domain() + " was reached " + p.remembered().map(e -> e.protection().with()).orElse("") + " before)" : "";
        return switch (c.requirement()) {
            case TlsRequirement.None n -> "level none: STARTTLS is not used";
            case TlsRequirement.Opportunistic o -> whyNoDane(p, facts) + "TLS if offered, not authenticated (RFC 7435)";
            case TlsRequirement.Encrypted e -> (memory.isEmpty() && p.usesDane() && facts.tlsa() != null
                    && facts.tlsa().outcome() == DnsResult.Outcome.FOUND
                    ? "no TLSA record is usable for SMTP (RFC 7672 3.1.3), so " : "") + "TLS required, not authenticated"
                    + (memory.isEmpty() ? byDemand(p) : memory);
            case TlsRequirement.Dane d -> "the certificate must match the DNSSEC-signed TLSA records (RFC 7672 3)";
            case TlsRequirement.Pkix x -> p.enforcesMtaSts(host)
                    ? "MTA-STS enforce: TLS with a PKIX-valid certificate for " + host + " (RFC 8461 4.1)"
                    : "TLS with a PKIX-valid certificate for " + host + (!memory.isEmpty() ? memory
                    : p.level() == TlsLevel.VERIFY ? " (level verify)"
                    : " (this message demands an authenticated server; the MX records are DNSSEC-signed, RFC 8689 4.2.1)");
            case TlsRequirement.Pinned x -> "TLS with a certificate matching a pinned fingerprint ([[delivery.policy]] pins)";
        };
    }

    private static String byDemand(DomainPolicy p) {
        return p.demand().demandsAnything() ? " (this message demands it)" : "";
    }

    private static String whyNoDane(DomainPolicy p, PolicyEngine.MxFacts facts) {
        if (!p.usesDane()) return "level " + p.level().tomlName() + ": ";
        if (!facts.dnssecSecure()) return "not DNSSEC-signed, so no DANE: ";
        DnsResult t = facts.tlsa();
        return t == null || t.outcome() != DnsResult.Outcome.FOUND ? "no TLSA records, so no DANE: " : "";
    }
}
