package org.depesche.outbound;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.depesche.dns.Addresses;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.MxDecision;
import org.depesche.policy.PolicyEngine;
import org.depesche.smtp.client.DeliveryAttempt;
import org.depesche.smtp.client.TlsOutcome;
import org.depesche.smtp.client.TlsRequirement;
import org.depesche.transport.TlsFailure;

/**
 * One round's plan for mail to one domain ({@link DeliveryPlanner#plan}):
 * the domain's policy and route, and for each MX host in turn a
 * {@link Step}, made when it is asked for, since a delivery stops at the
 * first host that takes the message and need not look the others up. The
 * round's address budget is shared by all hosts: the recipient's DNS must
 * not turn one message into a flood of connections.
 */
final class DeliveryPlan {
    /** Addresses connected to per domain and round, over all its MX hosts (THREATS T14; Postfix's smtp_mx_address_limit is 5). */
    static final int MAX_ADDRESSES = 10;

    private final DomainPolicy policy;
    private final Route route;
    private final HostFacts hostFacts;
    private final PolicyEngine engine;
    private final int port;
    private int budget = MAX_ADDRESSES;

    DeliveryPlan(DomainPolicy policy, Route route, HostFacts hostFacts, PolicyEngine engine, int port) {
        this.policy = policy;
        this.route = route;
        this.hostFacts = hostFacts;
        this.engine = engine;
        this.port = port;
    }

    /** One MX host as the plan finds it: its addresses, and why they cannot be used or what the engine decided. */
    sealed interface Step {
        MxHost mx();

        Addresses addresses();

        record Unusable(MxHost mx, Addresses addresses, String reason) implements Step {
        }

        record Decided(MxHost mx, Addresses addresses, PolicyEngine.MxFacts facts, MxDecision decision) implements Step {
        }
    }

    DomainPolicy policy() {
        return policy;
    }

    /** The MX hosts in the order to try them, or why there are none. */
    Route route() {
        return route;
    }

    /** The MX hosts in order; none for an unroutable domain. */
    List<MxHost> hosts() {
        return route instanceof Route.Hosts h ? h.hosts() : List.of();
    }

    /** The host's addresses (issue 8's second guard), whether they can be used, its DNS facts and the engine's decision. */
    Step step(MxHost mx) {
        Addresses addresses = hostFacts.addresses(policy, mx);
        String unusable = HostFacts.unusable(policy, mx, addresses);
        if (unusable != null) return new Step.Unusable(mx, addresses, unusable);
        PolicyEngine.MxFacts facts = hostFacts.facts(policy, mx, addresses);
        return new Step.Decided(mx, addresses, facts, engine.forMx(policy, facts));
    }

    /** The addresses of a host to connect to, in order, as many as the budget still allows; they are taken from it. */
    List<InetSocketAddress> take(Addresses addresses) {
        List<InetAddress> ips = addresses.addresses();
        List<InetAddress> taken = ips.subList(0, Math.min(ips.size(), Math.max(budget, 0)));
        budget -= taken.size();
        return taken.stream().map(ip -> new InetSocketAddress(ip, port)).toList();
    }

    /** True once the round's addresses are all taken: no further host is connected to. */
    boolean budgetSpent() {
        return budget <= 0;
    }

    /**
     * RFC 7435: under opportunistic TLS a failed handshake is retried in
     * plaintext on a new connection; a session that broke off otherwise at
     * STARTTLS is not. Delivery retries by this rule and the probe reports by it.
     */
    static boolean retriedInPlaintext(TlsRequirement requirement, DeliveryAttempt.Stage failedStage, TlsOutcome tls) {
        return requirement instanceof TlsRequirement.Opportunistic && failedStage == DeliveryAttempt.Stage.STARTTLS
                && tls.failedWith(TlsFailure.HANDSHAKE_FAILED);
    }
}
