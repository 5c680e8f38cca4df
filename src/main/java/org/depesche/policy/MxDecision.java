package org.depesche.policy;

import java.util.Objects;

import org.depesche.smtp.client.TlsRequirement;
import org.depesche.transport.TlsFailure;

/**
 * What the policy says about one MX host: connect with a requirement, do not
 * connect now, or never connect for this message. A decision not to connect
 * says why twice: as a {@link TlsFailure} for code (and TLS reports) and in
 * words for people; the words are never read back.
 */
public sealed interface MxDecision {

    /**
     * Connect and require {@code requirement}. {@code raisedByMemory}: the
     * level alone asked for less, the downgrade memory raised it, so a TLS
     * failure is reported as a refused downgrade. {@code testingFailure}: an
     * MTA-STS policy in testing mode is not met by this MX (RFC 8461 5.2);
     * the delivery goes on and records it ("" if none).
     */
    record Connect(TlsRequirement requirement, boolean raisedByMemory, String testingFailure) implements MxDecision {
        public Connect {
            testingFailure = testingFailure == null ? "" : testingFailure;
        }

        public Connect(TlsRequirement requirement, boolean raisedByMemory) {
            this(requirement, raisedByMemory, "");
        }
    }

    /** Do not connect to this MX now (temporary: the message stays queued); {@code reason} in plain words. */
    record Defer(TlsFailure failure, String reason) implements MxDecision {
        public Defer {
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * Never connect to this MX for this message: what the message demands
     * (its {@link org.depesche.queue.TransportDemand}) cannot be had there,
     * and waiting will not change that. {@code status}: the RFC 3463 code
     * for a bounce; {@code reason} in words a user understands.
     */
    record Refuse(String status, TlsFailure failure, String reason) implements MxDecision {
        public Refuse {
            Objects.requireNonNull(failure, "failure");
        }
    }
}
