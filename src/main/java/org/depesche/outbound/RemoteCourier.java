package org.depesche.outbound;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.depesche.dns.Addresses;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.DowngradeMemory;
import org.depesche.policy.MxDecision;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.Courier;
import org.depesche.queue.Excerpt;
import org.depesche.queue.QueuedMessage;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.Reply;
import org.depesche.smtp.client.DeliveryAttempt;
import org.depesche.smtp.client.OutboundMessage;
import org.depesche.smtp.client.SmtpClient;
import org.depesche.smtp.client.TlsRequirement;
import org.depesche.transport.Strength;
import org.depesche.transport.TlsFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers to other domains over SMTP, carrying out the plan
 * {@link DeliveryPlanner} makes for each destination domain: the MX hosts
 * in order (RFC 5321 5.1), per host the requirement the policy gives
 * (RFC 7672 2.2 for DANE), per address one connection carrying every
 * recipient of that domain, until a server takes the transaction. The
 * per-recipient replies decide: 2xx delivered, 4xx deferred, 5xx failed.
 * Nothing is sent to a host whose requirement cannot be met (THREATS
 * T1-T4) or that would be a downgrade (T10).
 */
public final class RemoteCourier implements Courier {
    private static final Logger log = LoggerFactory.getLogger(RemoteCourier.class);

    private final DeliveryPlanner planner;
    private final SmtpClient client;
    private final Clock clock;

    /** {@code planner}: what to try for each domain, the plan `depesche probe` shows. */
    public RemoteCourier(DeliveryPlanner planner, SmtpClient client, Clock clock) {
        this.planner = planner;
        this.client = client;
        this.clock = clock;
    }

    @Override
    public List<Result> deliver(QueuedMessage message, List<Integer> recipients, Content content) {
        Map<String, List<Integer>> byDomain = new LinkedHashMap<>();
        for (int i : recipients) {
            byDomain.computeIfAbsent(message.mailbox(i).domain(), d -> new ArrayList<>()).add(i); // the DomainName key
        }
        Map<Integer, Result> results = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> d : byDomain.entrySet()) {
            List<Result> r;
            try {
                r = deliverDomain(message, d.getKey(), d.getValue(), content);
            } catch (RuntimeException e) {
                log.error("event=remote-delivery-crashed queue_id={} domain={}", message.id(), d.getKey(), e);
                r = d.getValue().stream().map(i -> Result.deferred("internal error: " + e)).toList();
            }
            for (int k = 0; k < r.size(); k++) results.put(d.getValue().get(k), r.get(k));
        }
        return recipients.stream().map(results::get).toList();
    }

    private List<Result> deliverDomain(QueuedMessage m, String domain, List<Integer> indexes, Content content) {
        if (domain.startsWith("[")) { // RFC 5321 4.1.3 address literal: no name, so no DNS, DANE or policy
            return all(indexes, Result.failed("5.1.2 mail to an address literal (" + domain
                    + ") is not delivered: there is no domain name to look up or to authenticate the server by"));
        }
        DeliveryPlan plan;
        try {
            plan = planner.plan(domain, m.envelope().demand());
        } catch (IOException e) {
            return all(indexes, Result.deferred("cannot read " + DeliveryPlanner.unreadable(domain, e)));
        }
        if (plan.route() instanceof Route.Unroutable u) {
            log.warn("event=unroutable queue_id={} domain={} permanent={} reason=\"{}\"", m.id(), domain, u.permanent(), u.reason());
            String detail = u.status() + " " + u.reason();
            return all(indexes, u.permanent() ? Result.failed(detail) : Result.deferred(detail));
        }
        DomainPolicy p = plan.policy();
        List<MailAddress> rcpts = indexes.stream().map(m::mailbox).toList();
        TransportDemand demand = p.demand();
        OutboundMessage out = new OutboundMessage(m.envelope().sender(), rcpts, m.size(), m.envelope().bodyType(),
                m.envelope().smtpUtf8(), content::open, demand.needs(m.envelope().sender().isEmpty()).requireTls());
        Problems problems = new Problems();
        DeliveryAttempt last = null;
        for (MxHost mx : plan.hosts()) {
            if (plan.budgetSpent()) {
                problems.passing("no more than " + DeliveryPlan.MAX_ADDRESSES + " addresses are tried per round");
                break;
            }
            MxDecision.Connect connect;
            Addresses addresses;
            switch (plan.step(mx)) {
                case DeliveryPlan.Step.Unusable u -> {
                    problems.passing(u.reason());
                    continue;
                }
                case DeliveryPlan.Step.Decided(var host, var found, var facts, MxDecision.Defer defer) -> {
                    log.warn("event=mx-skipped queue_id={} domain={} mx={} reason=\"{}\"", m.id(), domain, mx.name(), defer.reason());
                    problems.passing(defer.reason());
                    continue;
                }
                case DeliveryPlan.Step.Decided(var host, var found, var facts, MxDecision.Refuse refuse) -> {
                    log.warn("event=mx-refused queue_id={} domain={} mx={} reason=\"{}\"", m.id(), domain, mx.name(), refuse.reason());
                    problems.demanded(refuse.status(), refuse.reason());
                    continue;
                }
                case DeliveryPlan.Step.Decided(var host, var found, var facts, MxDecision.Connect c) -> {
                    connect = c;
                    addresses = found;
                }
            }
            for (InetSocketAddress address : plan.take(addresses)) {
                DeliveryAttempt a = attempt(address, mx.name(), connect.requirement(), out);
                last = a;
                // A transaction was under way, or the message itself cannot go to this server (SIZE, SMTPUTF8).
                if (a.envelopeSent() || a.failedStage() == DeliveryAttempt.Stage.MAIL)
                    return settle(m, p, a, indexes, problems.all(), testingFailures(connect, a));
                failed(m, p, connect, a, problems);
            }
        }
        Hop hop = last == null ? null : hop(last, last.recipients().isEmpty() ? null : last.recipients().getFirst());
        if (problems.onlyDemanded()) {
            // RFC 8689 4.2.1: no MX host meets the demand; waiting will not change that, so the sender is told now.
            String detail = Demands.bounce(domain, demand, problems);
            log.warn("event=demand-unmet queue_id={} domain={} detail=\"{}\"", m.id(), domain, detail);
            return all(indexes, Result.failed(detail).withHop(hop));
        }
        String detail = problems.isEmpty() ? "no MX host could be tried" : problems.all();
        return all(indexes, Result.deferred(detail).withHop(hop));
    }

    /** Files an attempt that did not reach MAIL FROM: a failure of the message's demand, or one that passes. */
    private static void failed(QueuedMessage m, DomainPolicy p, MxDecision.Connect connect, DeliveryAttempt a,
                               Problems problems) {
        String demanded = p.demand().demandsAnything() ? Demands.failure(a, p.demand()) : null;
        if (demanded != null) {
            log.warn("event=mx-refused queue_id={} domain={} mx={} reason=\"{}\"", m.id(), p.domain(), a.mxHost(), demanded);
            problems.demanded(Demands.status(a.tls().failure()), demanded);
            return;
        }
        boolean downgrade = connect.raisedByMemory() && tlsStage(a);
        String problem = downgrade ? PolicyEngine.refusal(p, "without " + (connect.requirement() instanceof TlsRequirement.Encrypted
                ? "TLS" : "verified TLS") + " (" + a.message() + ")") : a.message();
        if (downgrade)
            log.warn("event=downgrade-refused queue_id={} domain={} mx={} reason=\"{}\"", m.id(), p.domain(), a.mxHost(), problem);
        problems.passing(problem);
    }

    /** RFC 8461 5.2: what an MTA-STS policy in testing mode would have refused on this delivery, "" if nothing. */
    private static String testingFailures(MxDecision.Connect c, DeliveryAttempt a) {
        List<String> failures = new ArrayList<>();
        if (!c.testingFailure().isEmpty()) failures.add(c.testingFailure());
        if (!c.requirement().pkixAudit().isEmpty()) {
            if (!a.tls().tls().isEncrypted()) failures.add(a.mxHost() + " was reached without TLS");
            else a.tls().auditFailure().ifPresent(f -> failures.add(f.reason()));
        }
        return String.join("; ", failures);
    }

    private DeliveryAttempt attempt(InetSocketAddress address, String mx, TlsRequirement requirement, OutboundMessage out) {
        DeliveryAttempt a = client.deliver(address, mx, requirement, out);
        if (!a.envelopeSent() && DeliveryPlan.retriedInPlaintext(requirement, a.failedStage(), a.tls())) {
            log.info("event=tls-fallback mx={} ip={} reason=\"{}\"", mx, address.getAddress().getHostAddress(), a.message());
            a = client.deliver(address, mx, new TlsRequirement.None(), out);
        }
        return a;
    }

    private static boolean tlsStage(DeliveryAttempt a) {
        return a.failedStage() == DeliveryAttempt.Stage.STARTTLS || a.failedStage() == DeliveryAttempt.Stage.TLS_AUTH;
    }

    /** The server took the transaction: its replies decide each recipient; the memory learns what TLS gave. */
    private List<Result> settle(QueuedMessage m, DomainPolicy p, DeliveryAttempt a, List<Integer> indexes,
                                String earlier, String testingFailure) {
        // The history keeps one hop per recipient and round; what failed before this server goes into the words.
        String before = earlier.isEmpty() ? "" : " (tried before: " + earlier + ")";
        String testing = testingFailure.isEmpty() ? ""
                : " (MTA-STS policy in testing mode not met, RFC 8461 5.2: " + testingFailure + ")";
        if (!testing.isEmpty())
            log.warn("event=mta-sts-testing-failure queue_id={} domain={} mx={} reason=\"{}\"", m.id(), p.domain(), a.mxHost(), testingFailure);
        List<Result> results = new ArrayList<>();
        boolean anyDelivered = false;
        for (int k = 0; k < indexes.size(); k++) {
            DeliveryAttempt.RecipientResult r = resultFor(a, k, m.mailbox(indexes.get(k)));
            if (r == null) {
                results.add(Result.deferred("4.4.2 no result from " + a.mxHost() + " for this recipient").withHop(hop(a, null)));
                continue;
            }
            Reply reply = r.reply();
            // What the server said, cut before what is added here, so that the words end with where and why.
            String said = Excerpt.of(reply.toString(), Excerpt.REPLY);
            String where = a.mxHost() + " [" + a.ip() + "]";
            Result result;
            if (reply.isPositive()) {
                anyDelivered = true;
                result = Result.delivered("delivered to " + where + " " + a.tls().tls() + " auth=" + a.tls().authentication().label()
                        + ": " + said + testing + before);
            } else {
                String words = r.diagnostic() == null || r.diagnostic().isEmpty() ? where + " said: " + said
                        : Excerpt.of(r.diagnostic(), Excerpt.REPLY);
                result = reply.isTransient() ? Result.deferred(words + before) : Result.failed(words + before);
            }
            results.add(result.withHop(hop(a, r)));
        }
        if (anyDelivered) remember(m, p, a);
        return results;
    }

    /** The client reports in the order it was given; checked, so a mix-up defers rather than misreports. */
    private static DeliveryAttempt.RecipientResult resultFor(DeliveryAttempt a, int k, MailAddress rcpt) {
        if (k < a.recipients().size() && a.recipients().get(k).recipient().equals(rcpt)) return a.recipients().get(k);
        return a.recipients().stream().filter(r -> r.recipient().equals(rcpt)).findFirst().orElse(null);
    }

    private void remember(QueuedMessage m, DomainPolicy p, DeliveryAttempt a) {
        Strength got = a.tls().strength(p.pkix(a.mxHost()));
        try {
            if (planner.policy().memory().remember(p.domain(), got, a.mxHost(), clock.instant()))
                log.info("event=protection-remembered domain={} protection={} mx={}", p.domain(), DowngradeMemory.label(got), a.mxHost());
        } catch (IOException | RuntimeException e) {
            log.error("event=protection-not-saved queue_id={} domain={} error=\"{}\"", m.id(), p.domain(), e.toString());
        }
    }

    private static Hop hop(DeliveryAttempt a, DeliveryAttempt.RecipientResult r) {
        return new Hop(a.mxHost(), a.ip(), a.tls().tls().protocol(), a.tls().tls().cipher(),
                a.tls().authentication().label(), a.tls().failure().map(TlsFailure::label).orElse(""), r == null ? "" : r.reply().toString(),
                r != null && r.fromServer());
    }

    private static List<Result> all(List<Integer> indexes, Result r) {
        return indexes.stream().map(i -> r).toList();
    }
}
