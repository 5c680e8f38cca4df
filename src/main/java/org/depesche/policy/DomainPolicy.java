package org.depesche.policy;

import java.util.List;
import java.util.Optional;

/**
 * The policy for one destination domain as the engine assembled it: the
 * level (static entry, else the default), pins for "verify", and what the
 * downgrade memory holds for the domain.
 */
public record DomainPolicy(String domain, TlsLevel level, List<String> pins,
                           Optional<DowngradeMemory.Entry> remembered) {
    public DomainPolicy {
        pins = List.copyOf(pins);
    }

    /** True when DNSSEC status decides the requirement (RFC 7672 2.2). */
    public boolean usesDane() {
        return level == TlsLevel.DANE || level == TlsLevel.DANE_ONLY;
    }
}
