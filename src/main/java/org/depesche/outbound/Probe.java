package org.depesche.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

import org.depesche.dns.Addresses;
import org.depesche.dns.DnsResolver;
import org.depesche.dns.DnsResult;
import org.depesche.dns.DnssecStatus;
import org.depesche.mtasts.PolicyCache;
import org.depesche.mtasts.PolicyException;
import org.depesche.mtasts.StsPolicy;
import org.depesche.mtasts.StsRecord;
import org.depesche.outbound.ProbeReport.Level;
import org.depesche.policy.DomainPolicy;
import org.depesche.policy.MxDecision;
import org.depesche.policy.PolicyEngine;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.InvalidDomainException;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.client.DeliveryAttempt;
import org.depesche.smtp.client.ServerCheck;
import org.depesche.smtp.client.ServerProbe;
import org.depesche.smtp.client.TlsRequirement;
import org.depesche.transport.HopRequirement;
import org.depesche.transport.TlsFailure;
import org.xbill.DNS.Type;

/**
 * Shows, before anything is sent, how mail to a domain would travel: the
 * plan {@link RemoteCourier} would carry out, from the same
 * {@link DeliveryPlanner} (policy, MX hosts, host facts, the engine's
 * decision per host, the address budget), and, unless built without a
 * {@link ServerProbe}, a check of each planned MX address that stops
 * before MAIL FROM. The result is a
 * {@link ProbeReport}; `depesche probe` prints it and the dashboard can
 * show it, for a message without demands of its own or, with
 * {@link #probe(String, TransportDemand)}, for one with REQUIRETLS or from
 * a secure sender.
 */
public final class Probe {
    private final DeliveryPlanner planner;
    private final DnsResolver dns;
    private final MtaStsSource mtaSts;
    private final ServerProbe server;
    private final Predicate<String> isLocalDomain;
    private final Clock clock;

    /**
     * Where the policy engine's MTA-STS policies come from: its cache, which
     * also knows why the last fetch failed (the fetch is not made twice, so a
     * stalled policy host costs the probe one deadline, THREATS T14).
     */
    public record MtaStsSource(PolicyCache cache) {
    }

    /**
     * @param planner       the planner delivery uses
     * @param isLocalDomain true for domains this server delivers to itself, as delivery's {@link RoutingCourier} decides
     * @param mtaSts        the source the planner's policy engine was built with; null when it ignores MTA-STS
     * @param server        null to report from DNS and policy alone (--no-connect)
     */
    public Probe(DeliveryPlanner planner, Predicate<String> isLocalDomain, MtaStsSource mtaSts, ServerProbe server,
                 Clock clock) {
        this.planner = planner;
        this.dns = planner.dns();
        this.mtaSts = mtaSts;
        this.server = server;
        this.isLocalDomain = isLocalDomain;
        this.clock = clock;
    }

    /** Probes an address (its domain) or a domain for a message without demands of its own. */
    public ProbeReport probe(String query) {
        return probe(query, TransportDemand.NONE);
    }

    /**
     * Probes for a message with {@code demand} (REQUIRETLS, a secure
     * sender's floor); IllegalArgumentException with one line for a query
     * that is neither an address nor a domain.
     */
    public ProbeReport probe(String query, TransportDemand demand) {
        MailAddress rcpt = recipient(query);
        String domain = rcpt.domain();
        String at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        if (isLocalDomain.test(domain)) {
            return new ProbeReport(query, domain, at, demandLabel(demand), false, Level.LOCAL, domain + " is a local domain: mail stays on this server.",
                    new ProbeReport.Route("local", null, null), null, null, List.of(), List.of());
        }
        List<String> notes = new ArrayList<>();
        DeliveryPlan plan;
        ProbeReport.MtaSts sts;
        try {
            Optional<PolicyCache.Entry> before = mtaSts == null ? Optional.empty() : mtaSts.cache().cached(domain);
            plan = planner.plan(domain, demand);
            sts = mtaStsFindings(domain, before, plan.policy(), notes);
        } catch (IOException e) {
            return new ProbeReport(query, domain, at, demandLabel(demand), false, Level.UNKNOWN,
                    "Cannot read " + DeliveryPlanner.unreadable(domain, e), null, null, null, List.of(), List.of());
        }
        DomainPolicy p = plan.policy();
        ProbeReport.Policy pol = policyFindings(p);
        String mxStatus = dns.mx(domain).status().name().toLowerCase(Locale.ROOT);
        if (plan.route() instanceof Route.Unroutable u) {
            String kind = u.status().equals("5.1.10") ? "null-mx" : "no-route";
            Level level = u.permanent() ? Level.UNDELIVERABLE : Level.UNKNOWN;
            String summary = (u.permanent() ? "Mail to " + domain + " cannot be delivered: " : "Cannot tell how mail to "
                    + domain + " would travel: ") + u.reason() + ".";
            return new ProbeReport(query, domain, at, demandLabel(demand), connected(), level, summary,
                    new ProbeReport.Route(kind, mxStatus, u.reason()), pol, sts, List.of(), notes);
        }
        List<MxHost> hosts = plan.hosts();
        String kind = plan.route() instanceof Route.Hosts h && h.implicit() ? "implicit-mx" : "mx";
        List<ProbeReport.Mx> mx = new ArrayList<>();
        for (MxHost h : hosts) mx.add(examine(plan, plan.step(h), notes));
        Level level = weakest(mx.stream().map(ProbeReport.Mx::level).toList());
        addNotes(level, mx, notes);
        return new ProbeReport(query, domain, at, demandLabel(demand), connected(), level, summary(domain, level, mx, demand),
                new ProbeReport.Route(kind, mxStatus, null), pol, sts, mx, notes);
    }

    /** The hosts a delivery would pass over while others take the mail. */
    private static void addNotes(Level level, List<ProbeReport.Mx> mx, List<String> notes) {
        for (ProbeReport.Mx m : mx) {
            if (level.deliverable() && !m.level().deliverable()) notes.add(m.host() + " would not be used: " + why(m));
        }
    }

    /** What went wrong with a host: its first failed connection, else what the policy said. */
    private static String why(ProbeReport.Mx m) {
        return m.connections().stream().map(ProbeReport.Connection::message).filter(t -> !t.isEmpty()).findFirst()
                .orElse(m.reason());
    }

    /** "none", "requiretls", "authenticated" or "encrypted": what the probed message demands (JSON field demand). */
    private static String demandLabel(TransportDemand d) {
        if (d.requireTls()) return "requiretls";
        return d.floorName().toLowerCase(Locale.ROOT);
    }

    private boolean connected() {
        return server != null;
    }

    /**
     * The recipient a probe stands for: the address given, or postmaster at
     * the domain given; IllegalArgumentException with one line otherwise.
     */
    public static MailAddress recipient(String query) {
        String q = query == null ? "" : query.strip();
        if (q.isEmpty()) throw new IllegalArgumentException("give an address or a domain to probe");
        MailAddress a;
        try {
            a = MailAddress.parse(q.contains("@") ? q : "postmaster@" + q); // the domain as its DomainName key
        } catch (InvalidDomainException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        String d = a.domain();
        if (d.startsWith("["))
            throw new IllegalArgumentException("mail to an address literal (" + d + ") is not delivered: there is no domain name to look up");
        return a;
    }

    private ProbeReport.Policy policyFindings(DomainPolicy p) {
        ProbeReport.Remembered r = p.remembered().map(e -> new ProbeReport.Remembered(e.label(), e.mx(),
                e.at().toString())).orElse(null);
        boolean inTable = planner.policy().hasEntry(p.domain());
        return new ProbeReport.Policy(p.level().tomlName(), inTable, p.pins(), r);
    }

    /**
     * RFC 8461 3.1, 5.1: the TXT record now, the policy in force and whether
     * this probe fetched it; why the fetch failed, if it did.
     */
    private ProbeReport.MtaSts mtaStsFindings(String domain, Optional<PolicyCache.Entry> before, DomainPolicy p,
                                              List<String> notes) throws IOException {
        if (mtaSts == null) return null;
        Optional<StsRecord> record = StsRecord.lookup(dns, domain);
        Optional<PolicyCache.Entry> after = mtaSts.cache().cached(domain);
        boolean fetchedNow = after.isPresent() && (before.isEmpty() || !after.get().fetched().equals(before.get().fetched()));
        Instant now = clock.instant();
        boolean current = after.filter(e -> e.validAt(now) && record.map(r -> r.id().equals(e.id())).orElse(true)).isPresent();
        String error = null;
        if (record.isPresent() && !fetchedNow && !current) {
            error = mtaSts.cache().lastFailure(domain).map(PolicyException::getMessage)
                    .orElse("the policy could not be fetched");
            if (p.mtaSts().isPresent()) notes.add("the policy could not be fetched again; the cached one stays in force until it expires (RFC 8461 5.1)");
        } else if (record.isEmpty() && p.mtaSts().isPresent()) {
            notes.add("no _mta-sts TXT record now; the cached policy stays in force until it expires (RFC 8461 5.1)");
        }
        if (record.isEmpty()) {
            // no record and a failed lookup are not the same finding: say which (the result is cached, no second query)
            DnsResult txt = dns.lookup(StsRecord.owner(domain), Type.TXT);
            if (txt.outcome() == DnsResult.Outcome.FAILED || txt.status() == DnssecStatus.BOGUS) {
                error = "the _mta-sts TXT lookup failed (" + txt.status().name().toLowerCase(Locale.ROOT)
                        + (txt.reason().isEmpty() ? "" : ": " + txt.reason()) + ")";
            }
        }
        Optional<PolicyCache.Entry> inForce = p.mtaSts().isPresent() ? after : Optional.empty();
        StsPolicy sp = p.mtaSts().orElse(null);
        return new ProbeReport.MtaSts(record.map(StsRecord::id).orElse(null), sp == null ? null : sp.mode().label(),
                sp == null ? List.of() : sp.mx(), sp == null ? null : sp.maxAge(), fetchedNow && inForce.isPresent(),
                inForce.map(e -> e.fetched().toString()).orElse(null), inForce.map(e -> e.expires().toString()).orElse(null), error);
    }

    /** One MX host of the plan as delivery would meet it, checked over the network when a ServerProbe is at hand. */
    private ProbeReport.Mx examine(DeliveryPlan plan, DeliveryPlan.Step step, List<String> notes) {
        DomainPolicy p = plan.policy();
        MxHost mx = step.mx();
        Addresses addresses = step.addresses();
        String addressStatus = addresses.status().name().toLowerCase(Locale.ROOT);
        List<String> ips = addresses.addresses().stream().map(InetAddress::getHostAddress).toList();
        if (!(step instanceof DeliveryPlan.Step.Decided decided)) {
            return new ProbeReport.Mx(mx.name(), mx.preference(), mx.secure(), addressStatus, ips, null, "skip",
                    addresses.answered() ? Level.UNDELIVERABLE : Level.UNKNOWN, ((DeliveryPlan.Step.Unusable) step).reason(),
                    List.of());
        }
        PolicyEngine.MxFacts facts = decided.facts();
        ProbeReport.Tlsa tlsa = tlsa(facts.tlsa());
        MxDecision.Connect connect;
        switch (decided.decision()) {
            case MxDecision.Defer defer -> {
                return new ProbeReport.Mx(mx.name(), mx.preference(), mx.secure(), addressStatus, ips, tlsa, "skip",
                        Level.UNDELIVERABLE, defer.reason(), List.of());
            }
            case MxDecision.Refuse refuse -> {
                return new ProbeReport.Mx(mx.name(), mx.preference(), mx.secure(), addressStatus, ips, tlsa, "refuse",
                        Level.UNDELIVERABLE, refuse.reason(), List.of());
            }
            case MxDecision.Connect c -> connect = c;
        }
        // RFC 8461 5.2: testing mode only reports; delivery records the mismatch and goes on.
        if (!connect.testingFailure().isEmpty())
            notes.add(connect.testingFailure() + " (MTA-STS mode testing: reported, not enforced)");
        TlsRequirement req = connect.requirement();
        String why = Requirements.describe(p, facts, connect);
        if (server == null) {
            return new ProbeReport.Mx(mx.name(), mx.preference(), mx.secure(), addressStatus, ips, tlsa,
                    Requirements.label(req), promised(p, mx.name(), req), why + " (not connected)", List.of());
        }
        List<ProbeReport.Connection> connections = new ArrayList<>();
        for (InetSocketAddress address : plan.take(addresses)) {
            ServerCheck c = server.check(address, mx.name(), req);
            connections.add(connection(c, achieved(p, mx.name(), req, c)));
            if (!req.pkixAudit().isEmpty() && c.certificate() != null && !c.certificate().pkixValid())
                notes.add(c.certificate().pkixProblem() + " (MTA-STS mode testing: reported, not enforced)");
        }
        Level level = weakest(connections.stream().map(ProbeReport.Connection::level).toList());
        return new ProbeReport.Mx(mx.name(), mx.preference(), mx.secure(), addressStatus, ips, tlsa,
                Requirements.label(req), level, why, connections);
    }

    /** As RemoteCourier counts a host for a bounce: refused by the engine, or failing TLS the demand needed. */
    private static boolean refusedForDemand(ProbeReport.Mx m, TransportDemand demand) {
        if (m.requirement().equals("refuse")) return true;
        return !m.connections().isEmpty() && m.connections().stream().allMatch(c -> Demands.failsDemand(c.tlsFailure(), demand));
    }

    private static ProbeReport.Tlsa tlsa(DnsResult t) {
        if (t == null) return null;
        List<ProbeReport.TlsaEntry> records = t.tlsaRecords().stream()
                .map(r -> new ProbeReport.TlsaEntry(r.presentation(), r.isUsableForSmtp())).toList();
        return new ProbeReport.Tlsa(t.qname(), t.outcome().name().toLowerCase(Locale.ROOT),
                t.status().name().toLowerCase(Locale.ROOT), records);
    }

    /** What a requirement guarantees whatever the server does: opportunistic TLS guarantees nothing. */
    private static Level promised(DomainPolicy p, String host, TlsRequirement r) {
        return Level.of(r.promised(p.pkix(host)));
    }

    /** What the connection would give a message: as delivery would go on after this check. */
    private static Level achieved(DomainPolicy p, String host, TlsRequirement r, ServerCheck c) {
        if (c.requirementMet() && p.demand().needs().requireTls() == HopRequirement.RequireTls.REQUIRED
                && !c.requireTlsOffered()) return Level.UNDELIVERABLE;
        if (c.requirementMet()) return Level.of(c.tls().strength(p.pkix(host)));
        DeliveryAttempt.Stage stage = c.failedStage();
        if (DeliveryPlan.retriedInPlaintext(r, stage, c.tls())) return Level.PLAINTEXT; // as RemoteCourier retries
        return stage == DeliveryAttempt.Stage.STARTTLS || stage == DeliveryAttempt.Stage.TLS_AUTH ? Level.UNDELIVERABLE : Level.UNKNOWN;
    }

    private static ProbeReport.Connection connection(ServerCheck c, Level level) {
        ServerCheck.Certificate cert = c.certificate();
        // RFC 8689 4.2.1 step 5, as SmtpClient refuses before MAIL FROM.
        boolean noRequireTls = c.requirementMet() && level == Level.UNDELIVERABLE;
        return new ProbeReport.Connection(c.ip(), c.starttlsOffered(), c.tls().tls().toString(),
                c.tls().authentication().label(), noRequireTls ? Optional.of(TlsFailure.REQUIRETLS_NOT_OFFERED) : c.tls().failure(),
                c.requireTlsOffered(), cert == null ? List.of() : cert.names(), cert == null ? null : cert.pkixValid(), level,
                noRequireTls ? c.mxHost() + " does not offer REQUIRETLS (RFC 8689), which this message requires" : c.message());
    }

    /**
     * The level mail gets at worst among the hosts that would take it;
     * without any, unknown if a host could not be checked, else undeliverable.
     */
    static Level weakest(List<Level> levels) {
        Optional<Level> usable = levels.stream().filter(Level::deliverable).min(Level::compareTo);
        if (usable.isPresent()) return usable.get();
        return levels.isEmpty() || levels.contains(Level.UNKNOWN) ? Level.UNKNOWN : Level.UNDELIVERABLE;
    }

    private String summary(String domain, Level level, List<ProbeReport.Mx> mx, TransportDemand demand) {
        String how = connected() ? "" : "; from DNS and policy alone, the MX hosts were not connected to";
        if (level.deliverable()) {
            String hosts = String.join(", ", mx.stream().filter(m -> m.level() == level).map(ProbeReport.Mx::host).toList());
            String words = level == Level.PLAINTEXT ? "in plaintext" : level.words();
            return "Mail to " + domain + " would travel " + words + " (" + hosts + ")" + how + ".";
        }
        if (level == Level.UNDELIVERABLE && demand.demandsAnything() && mx.stream().allMatch(m -> refusedForDemand(m, demand)))
            return "Mail to " + domain + " with this demand would bounce: no MX host meets it (RFC 8689 4.2.1)" + how + ".";
        if (level == Level.UNDELIVERABLE)
            return "Mail to " + domain + " would wait in the queue: no MX host can be used now" + how + ".";
        return "Cannot tell how mail to " + domain + " would travel: no MX host could be checked" + how + ".";
    }
}
