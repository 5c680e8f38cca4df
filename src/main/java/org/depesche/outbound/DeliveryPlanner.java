package org.depesche.outbound;

import java.io.IOException;
import java.util.Random;
import java.util.Set;

import org.depesche.dns.DnsResolver;
import org.depesche.mail.DomainName;
import org.depesche.policy.DeliveryRequest;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.TransportDemand;

/**
 * The one place that decides how mail to a domain would go before anything
 * is sent, for delivery ({@link RemoteCourier}, which carries the plan out)
 * and for {@link Probe} (which checks it and reports): the domain's policy
 * ({@link PolicyEngine#forDomain}), its MX hosts ({@link MxLookup}, RFC 5321
 * 5.1, RFC 7505), and per host its addresses, DNS facts ({@link HostFacts},
 * RFC 7672 2.2) and the engine's decision ({@link PolicyEngine#forMx}),
 * within one address budget per round (THREATS T14). The composition root
 * builds one from the config, for `serve` and `depesche probe` alike.
 */
public final class DeliveryPlanner {
    private final DnsResolver dns;
    private final PolicyEngine policy;
    private final MxLookup mxLookup;
    private final HostFacts hostFacts;
    private final int port;

    /**
     * @param port     the MX hosts' SMTP port ([delivery] smtp_port)
     * @param random   the order of MX hosts of equal preference
     * @param ownNames this server's host names; an MX list naming one of them is cut there (RFC 5321 5.1)
     */
    public DeliveryPlanner(DnsResolver dns, PolicyEngine policy, int port, Random random, Set<String> ownNames) {
        this.dns = dns;
        this.policy = policy;
        this.mxLookup = new MxLookup(dns, random, ownNames);
        this.hostFacts = new HostFacts(dns, port);
        this.port = port;
    }

    /**
     * The plan for mail to {@code domain}, however spelled (it is planned
     * under its {@link DomainName} key, so every spelling gets the same
     * policy and route), for a message that demands {@code demand}. An
     * IOException when the stored policy state cannot be read
     * ({@link #unreadable} puts that into words).
     */
    DeliveryPlan plan(String domain, TransportDemand demand) throws IOException {
        String key = DomainName.key(domain);
        DomainPolicy p = policy.forDomain(key, new DeliveryRequest(demand));
        return new DeliveryPlan(p, mxLookup.route(key), hostFacts, policy, port);
    }

    /** What could not be read when {@link #plan} failed, after "cannot read". */
    static String unreadable(String domain, IOException e) {
        return "the stored TLS policy state (downgrade memory, MTA-STS cache) for " + domain + ": " + e.getMessage();
    }

    /** The resolver the plans are made with, for what a probe reports beside them. */
    DnsResolver dns() {
        return dns;
    }

    /** The engine the plans are made with, whose downgrade memory a delivery raises. */
    PolicyEngine policy() {
        return policy;
    }
}
