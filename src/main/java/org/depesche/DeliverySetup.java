package org.depesche;

import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import javax.net.ssl.SSLContext;

import org.depesche.config.Config;
import org.depesche.directory.Directory;
import org.depesche.dns.DnsResolver;
import org.depesche.mtasts.FilePolicyStore;
import org.depesche.mtasts.PolicyCache;
import org.depesche.mtasts.PolicyFetcher;
import org.depesche.mtasts.StsRecord;
import org.depesche.outbound.DeliveryPlanner;
import org.depesche.outbound.Probe;
import org.depesche.outbound.RemoteCourier;
import org.depesche.outbound.RoutingCourier;
import org.depesche.policy.FileDowngradeMemory;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.Courier;
import org.depesche.smtp.client.ServerProbe;
import org.depesche.smtp.client.SmtpClient;

/**
 * What decides how mail leaves, built from the config in this one place
 * for {@link Depesche} (`serve`) and for `depesche probe`, so that the probe
 * answers with exactly what the running server would act on: the directory
 * that says which domains are local (with the [secure] overlay of the
 * config, as {@link org.depesche.directory.FileDirectory#of} reads it), the
 * destinations' MTA-STS policies (fetched with the JDK's trust store, kept
 * under {@code <data>/mta-sts}), the policy engine with the downgrade memory
 * under {@code <data>/policy}, and the {@link DeliveryPlanner}.
 */
public record DeliverySetup(Directory directory, PolicyCache mtaSts, DeliveryPlanner planner) {
    /**
     * {@code directory}: the installation's, {@code FileDirectory.of(config, clock)}; {@code random}: the
     * order of MX hosts of equal preference. An IOException when TLS for MTA-STS fetches cannot be set up.
     */
    public static DeliverySetup of(Config config, Directory directory, DnsResolver dns, Random random, Clock clock)
            throws IOException {
        Config.Delivery d = config.delivery();
        PolicyFetcher fetcher;
        try {
            fetcher = new PolicyFetcher(SSLContext.getDefault(), d.connectTimeout(), PolicyFetcher.DEADLINE);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("cannot set up TLS for MTA-STS policy fetches: " + e.getMessage(), e);
        }
        PolicyCache mtaSts = new PolicyCache(new FilePolicyStore(config.dataDir().resolve("mta-sts")), fetcher, x -> StsRecord.lookup(dns, x), clock);
        PolicyEngine policy = new PolicyEngine(d, new FileDowngradeMemory(config.dataDir().resolve("policy")), mtaSts);
        DeliveryPlanner planner = new DeliveryPlanner(dns, policy, d.smtpPort(), random,
                new HashSet<>(List.of(config.hostname(), config.heloName())));
        return new DeliverySetup(directory, mtaSts, planner);
    }

    /** The queue's courier: local domains to {@code local}, all others over SMTP with {@code client}. */
    public Courier courier(Courier local, SmtpClient client, Clock clock) {
        return new RoutingCourier(directory, local, new RemoteCourier(planner, client, clock));
    }

    /** `depesche probe`: the same plans, checked with {@code server} (null: from DNS and policy alone). */
    public Probe probe(ServerProbe server, Clock clock) {
        return new Probe(planner, directory::isLocalDomain, new Probe.MtaStsSource(mtaSts), server, clock);
    }
}
