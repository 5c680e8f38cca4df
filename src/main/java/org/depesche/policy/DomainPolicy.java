package org.depesche.policy;

import org.depesche.mtasts.StsPolicy;
import org.depesche.queue.TransportDemand;
import org.depesche.transport.Strength;

import java.util.List;
import java.util.Optional;

/**
 * The policy for one destination domain as the engine assembled it: the
 * level (static entry, else the default), pins for "verify", and what the
 * downgrade memory holds for the domain, and its MTA-STS policy if it has one
 * (cached or just fetched, RFC 8461 5.1), and what the message being
 * delivered demands of its own ({@link TransportDemand#NONE} for none).
 */
public record DomainPolicy(String domain, TlsLevel level, List<String> pins,
                           Optional<DowngradeMemory.Entry> remembered, Optional<StsPolicy> mtaSts,
                           TransportDemand demand) {
    public DomainPolicy {
        pins = List.copyOf(pins);
        demand = demand == null ? TransportDemand.NONE : demand;
    }

    /** A domain's policy for a message that demands nothing of its own. */
    public DomainPolicy(String domain, TlsLevel level, List<String> pins, Optional<DowngradeMemory.Entry> remembered,
                        Optional<StsPolicy> mtaSts) {
        this(domain, level, pins, remembered, mtaSts, TransportDemand.NONE);
    }

    /** A domain without an MTA-STS policy. */
    public DomainPolicy(String domain, TlsLevel level, List<String> pins, Optional<DowngradeMemory.Entry> remembered) {
        this(domain, level, pins, remembered, Optional.empty());
    }

    /** True when the domain's MTA-STS policy is in enforce mode and lists {@code host} (RFC 8461 4.1). */
    public boolean enforcesMtaSts(String host) {
        return mtaSts.filter(p -> p.mode() == StsPolicy.Mode.ENFORCE && p.matches(host)).isPresent();
    }

    /**
     * What PKIX authentication of {@code host} is worth on the strength
     * scale: {@link Strength#MTA_STS_VERIFIED} where MTA-STS enforces it,
     * else {@link Strength#VERIFIED}.
     */
    public Strength pkix(String host) {
        return enforcesMtaSts(host) ? Strength.MTA_STS_VERIFIED : Strength.VERIFIED;
    }

    /** True when DNSSEC status decides the requirement (RFC 7672 2.2). */
    public boolean usesDane() {
        return level == TlsLevel.DANE || level == TlsLevel.DANE_ONLY;
    }
}
