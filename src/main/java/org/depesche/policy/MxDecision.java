package org.depesche.policy;

import org.depesche.smtp.client.TlsRequirement;

/** What the policy says about one MX host: connect with a requirement, or do not connect now. */
public sealed interface MxDecision {

    /**
     * Connect and require {@code requirement}. {@code raisedByMemory}: the
     * level alone asked for less, the downgrade memory raised it, so a TLS
     * failure is reported as a refused downgrade.
     */
    record Connect(TlsRequirement requirement, boolean raisedByMemory) implements MxDecision {
    }

    /** Do not connect to this MX now (temporary: the message stays queued); {@code reason} in plain words. */
    record Defer(String reason) implements MxDecision {
    }
}
