package org.depesche.policy;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.depesche.config.Config;
import org.depesche.dns.DnsResult;
import org.depesche.dns.DnssecStatus;
import org.depesche.mtasts.PolicyCache;
import org.depesche.mtasts.StsPolicy;
import org.depesche.queue.TransportDemand;
import org.depesche.mail.DomainName;
import org.depesche.smtp.client.TlsRequirement;
import org.depesche.transport.HopRequirement;
import org.depesche.transport.Strength;
import org.depesche.transport.TlsFailure;

/**
 * Combines the default level, the static policy table and the downgrade
 * memory into what the SMTP client must achieve with each MX host. The DNS
 * facts (DNSSEC status of the MX and address lookups, the TLSA answer) are
 * looked up by the courier and handed in, so every rule here can be tested
 * without a network.
 */
public final class PolicyEngine {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PolicyEngine.class);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    /**
     * RFC 8689 4.2.1: 5.7.10 (encryption needed, RFC 5248) for a message
     * that cannot get the authenticated TLS session it demands; 5.7.30
     * ("REQUIRETLS support required", registered by RFC 8689) for a hop
     * that does not offer REQUIRETLS.
     */
    public static final String TLS_NEEDED = "5.7.10";
    public static final String REQUIRETLS_NEEDED = "5.7.30";

    private final TlsLevel defaultLevel;
    private final Map<String, Config.Policy> table;
    private final DowngradeMemory memory;
    private final PolicyCache mtaSts;
    private final boolean honorTlsRequiredNo;

    public PolicyEngine(Config.Delivery settings, DowngradeMemory memory) {
        this(settings, memory, null);
    }

    /** {@code mtaSts}: where destination domains' MTA-STS policies come from; null to ignore MTA-STS. */
    public PolicyEngine(Config.Delivery settings, DowngradeMemory memory, PolicyCache mtaSts) {
        this.mtaSts = mtaSts;
        this.defaultLevel = TlsLevel.parse(settings.defaultTlsLevel());
        this.table = settings.policy().stream()
                .collect(Collectors.toUnmodifiableMap(p -> DomainName.key(p.domain()), Function.identity()));
        this.memory = memory;
        this.honorTlsRequiredNo = settings.honorTlsRequiredNo();
    }

    public DowngradeMemory memory() {
        return memory;
    }

    /**
     * The policy for a destination domain, however it is spelled: the table,
     * the memory and MTA-STS are all asked by its {@link DomainName} key, which
     * the policy carries as its domain. The request is for what a message asks
     * of its own (issue 4). {@link org.depesche.mail.InvalidDomainException}
     * for a name that is no domain.
     */
    public DomainPolicy forDomain(String spelled, DeliveryRequest request) throws IOException {
        String domain = DomainName.key(spelled);
        Config.Policy entry = table.get(domain);
        TlsLevel level = entry == null ? defaultLevel : TlsLevel.parse(entry.level());
        List<String> pins = entry == null ? List.of() : entry.pins();
        Optional<StsPolicy> sts = mtaSts == null ? Optional.empty() : mtaSts.policyFor(domain).map(PolicyCache.Entry::policy);
        return new DomainPolicy(domain, level, pins, memory.get(domain), sts, request.demand());
    }

    /**
     * The DNS facts for one MX host. {@code dnssecSecure}: the MX RRset (or,
     * for an implicit MX, the address lookup) and the host's address RRsets
     * all validated (RFC 7672 2.2). {@code tlsa}: the TLSA answer, null when
     * it was not looked up. {@code referenceNames}: the MX host name and, for
     * CNAMEs, the names of RFC 7672 2.2.3. {@code mxSecure}: the lookup that
     * named the host (the MX RRset, or the proof that there is none) alone
     * validated, which is what lets PKIX authenticate the host's name
     * (RFC 8689 4.2.1).
     */
    public record MxFacts(String host, boolean dnssecSecure, DnsResult tlsa, Set<String> referenceNames,
                          boolean mxSecure) {
        public MxFacts(String host, boolean dnssecSecure, DnsResult tlsa, Set<String> referenceNames) {
            this(host, dnssecSecure, tlsa, referenceNames, dnssecSecure);
        }
    }

    public MxDecision forMx(DomainPolicy policy, MxFacts mx) {
        if (liftsDomainPolicies(policy.demand())) return withoutDomainPolicies(policy, mx);
        MxDecision decided = applyMtaSts(policy, mx, byLevel(policy, mx));
        if (decided instanceof MxDecision.Connect connect && policy.remembered().isPresent()) {
            decided = noted(applyMemory(policy, mx, connect.requirement()), connect.testingFailure());
        }
        return applyDemand(policy, mx, decided);
    }

    private MxDecision byLevel(DomainPolicy policy, MxFacts mx) {
        return switch (policy.level()) {
            case NONE -> connect(new TlsRequirement.None());
            case MAY -> connect(new TlsRequirement.Opportunistic());
            case ENCRYPT -> connect(new TlsRequirement.Encrypted());
            case VERIFY -> connect(policy.pins().isEmpty() ? new TlsRequirement.Pkix(Set.of(mx.host()))
                    : new TlsRequirement.Pinned(Set.copyOf(policy.pins())));
            case DANE, DANE_ONLY -> dane(policy, mx, policy.level() == TlsLevel.DANE_ONLY);
        };
    }

    /** RFC 7672 2.2: TLSA counts only from a secure chain; a failed TLSA lookup never falls back. */
    private MxDecision dane(DomainPolicy policy, MxFacts mx, boolean only) {
        if (!mx.dnssecSecure() || mx.tlsa() == null) {
            return only ? new MxDecision.Defer(TlsFailure.DANE_REQUIRED, "policy dane-only for " + policy.domain() + ", but the DNS records of "
                    + mx.host() + " are not DNSSEC-signed") : connect(new TlsRequirement.Opportunistic());
        }
        DnsResult t = mx.tlsa();
        if (t.status() == DnssecStatus.BOGUS || t.status() == DnssecStatus.INDETERMINATE
                || t.outcome() == DnsResult.Outcome.FAILED) {
            return new MxDecision.Defer(TlsFailure.DNSSEC_INVALID, "the TLSA lookup for " + t.qname() + " failed DNSSEC validation ("
                    + t.status().name().toLowerCase(Locale.ROOT) + (t.reason().isEmpty() ? "" : ": " + t.reason())
                    + "), so " + mx.host() + " cannot be authenticated; not falling back to unauthenticated TLS");
        }
        if (t.outcome() != DnsResult.Outcome.FOUND || !t.isSecure()) {
            return only ? new MxDecision.Defer(TlsFailure.DANE_REQUIRED, "policy dane-only for " + policy.domain() + ", but " + mx.host()
                    + " publishes no DNSSEC-signed TLSA records at " + t.qname())
                    : connect(new TlsRequirement.Opportunistic());
        }
        TlsRequirement.Dane dane = new TlsRequirement.Dane(t.tlsaRecords(), mx.referenceNames());
        if (dane.hasUsableRecords()) return connect(dane);
        // RFC 7672 2.2: all records unusable still means mandatory (unauthenticated) TLS.
        return only ? new MxDecision.Defer(TlsFailure.TLSA_INVALID, "policy dane-only for " + policy.domain() + ", but no TLSA record of "
                + mx.host() + " is usable for SMTP (RFC 7672 3.1.3)") : connect(new TlsRequirement.Encrypted());
    }

    /**
     * RFC 8461 4.1 and 5: with an enforce policy an MX must match the
     * policy's patterns and present a PKIX-valid certificate for its name;
     * otherwise it is skipped (the message waits). DANE takes precedence
     * (RFC 8461 2), and pins are already stricter. In testing mode the
     * delivery goes on, but what would have failed is recorded (RFC 8461
     * 5.2): an unlisted MX here, the certificate by the client, which
     * checks PKIX without enforcing it.
     */
    private MxDecision applyMtaSts(DomainPolicy policy, MxFacts mx, MxDecision decision) {
        if (policy.mtaSts().isEmpty() || !(decision instanceof MxDecision.Connect connect)) return decision;
        if (connect.requirement() instanceof TlsRequirement.Dane || connect.requirement() instanceof TlsRequirement.Pinned) return decision;
        StsPolicy sts = policy.mtaSts().get();
        boolean listed = sts.matches(mx.host());
        return switch (sts.mode()) {
            case NONE -> decision;
            case TESTING -> testing(policy, mx, connect, listed);
            case ENFORCE -> listed ? new MxDecision.Connect(new TlsRequirement.Pkix(Set.of(mx.host())), connect.raisedByMemory())
                    : new MxDecision.Defer(TlsFailure.STS_MX_NOT_LISTED, mx.host() + " is not listed in the MTA-STS policy of " + policy.domain()
                    + " (mx " + String.join(", ", sts.mx()) + "), so it is not used (RFC 8461 4.1)");
        };
    }

    private static MxDecision testing(DomainPolicy policy, MxFacts mx, MxDecision.Connect connect, boolean listed) {
        // Logged by the courier with the delivery it concerns.
        String failure = listed ? "" : mx.host() + " is not listed in the MTA-STS policy of " + policy.domain();
        TlsRequirement audited = switch (connect.requirement()) {
            case TlsRequirement.Opportunistic o -> new TlsRequirement.Opportunistic(Set.of(mx.host()));
            case TlsRequirement.Encrypted e -> new TlsRequirement.Encrypted(Set.of(mx.host()));
            default -> connect.requirement();
        };
        return new MxDecision.Connect(audited, connect.raisedByMemory(), failure);
    }

    /** A decision that keeps the MTA-STS testing failure of the one it replaced. */
    private static MxDecision noted(MxDecision decision, String testingFailure) {
        if (testingFailure.isEmpty() || !(decision instanceof MxDecision.Connect c)) return decision;
        return new MxDecision.Connect(c.requirement(), c.raisedByMemory(), testingFailure);
    }

    /**
     * Decision 5: {@code TLS-Required: No} (RFC 8689 3, 4.2.2) is honoured
     * only when the operator allows it and the message demands nothing else.
     */
    private boolean liftsDomainPolicies(TransportDemand d) {
        return honorTlsRequiredNo && d.tlsRequiredNo() && !d.demandsAnything();
    }

    /**
     * RFC 8689 4.2.2: DANE, MTA-STS and the downgrade memory do not stop
     * the message, TLS is still tried. A static table entry is the
     * operator's own word for that domain and still applies; so does a
     * default level other than dane.
     */
    private MxDecision withoutDomainPolicies(DomainPolicy policy, MxFacts mx) {
        boolean fromTable = hasEntry(policy.domain());
        MxDecision d = !fromTable && policy.usesDane() ? connect(new TlsRequirement.Opportunistic()) : byLevel(policy, mx);
        log.info("event=tls-required-no-honoured domain={} mx={} decision=\"{}\"", policy.domain(), mx.host(), d);
        return d;
    }

    /**
     * What the message demands on top of the domain's policy: a floor of
     * encryption, or an authenticated server (decision 4; RFC 8689 4.2.1
     * for REQUIRETLS). Nothing is ever sent in plaintext for such a message.
     */
    private MxDecision applyDemand(DomainPolicy policy, MxFacts mx, MxDecision decided) {
        HopRequirement needs = policy.demand().needs();
        if (!(decided instanceof MxDecision.Connect c)) return decided;
        if (needs.authenticated()) return authenticated(policy, mx, c);
        if (needs.encrypted() && !c.requirement().tlsMandatory())
            return new MxDecision.Connect(new TlsRequirement.Encrypted(c.requirement().pkixAudit()), c.raisedByMemory(),
                    c.testingFailure());
        return decided;
    }

    /**
     * RFC 8689 4.2.1: DANE (RFC 7672) or PKIX (RFC 6125) on a name the MX
     * lookup authenticated: DNSSEC, or an MTA-STS policy in enforce mode
     * listing the host; or the operator's static pins, which name the key
     * itself, so a forged MX answer cannot pass them.
     */
    private MxDecision authenticated(DomainPolicy policy, MxFacts mx, MxDecision.Connect c) {
        if (authenticates(policy, mx, c.requirement())) return c;
        // DANE where the domain publishes it, whatever the level (the courier looked TLSA up for this message).
        MxDecision viaDane = mx.dnssecSecure() && mx.tlsa() != null ? dane(policy, mx, false) : null;
        if (viaDane instanceof MxDecision.Defer
                || (viaDane instanceof MxDecision.Connect d && d.requirement() instanceof TlsRequirement.Dane)) return viaDane;
        if (mx.mxSecure()) return new MxDecision.Connect(new TlsRequirement.Pkix(Set.of(mx.host())), c.raisedByMemory(), c.testingFailure());
        String sts = policy.mtaSts().map(p -> "the MTA-STS policy of " + policy.domain() + " is in "
                + p.mode().name().toLowerCase(Locale.ROOT) + " mode, not enforce")
                .orElse(policy.domain() + " publishes no MTA-STS policy");
        String staticVerify = hasEntry(policy.domain()) && policy.level() == TlsLevel.VERIFY
                ? " (the [[delivery.policy]] entry verify without pins cannot prove the MX name itself)" : "";
        String reason = "the MX records of " + policy.domain() + " are not DNSSEC-signed and " + sts + ", so "
                + mx.host() + " cannot be authenticated" + staticVerify;
        return new MxDecision.Refuse(TLS_NEEDED, TlsFailure.NO_AUTHENTICATED_TLS, reason);
    }

    private boolean authenticates(DomainPolicy policy, MxFacts mx, TlsRequirement r) {
        return switch (r) {
            case TlsRequirement.Dane d -> d.hasUsableRecords();
            case TlsRequirement.Pinned p -> true;
            // Not a static verify entry alone: PKIX on an MX name from unsigned DNS passes any host a
            // forged MX answer names, if it has a public certificate for its own name (RFC 8689 4.2.1).
            case TlsRequirement.Pkix p -> mx.mxSecure() || policy.enforcesMtaSts(mx.host());
            default -> false;
        };
    }

    /** THREATS T10: never less than what the domain was reached with before. */
    private MxDecision applyMemory(DomainPolicy policy, MxFacts mx, TlsRequirement requirement) {
        DowngradeMemory.Entry seen = policy.remembered().get();
        if (requirement.promised(policy.pkix(mx.host())).atLeast(seen.protection())) return connect(requirement);
        return switch (seen.protection()) {
            case PLAINTEXT -> connect(requirement);
            case ENCRYPTED -> new MxDecision.Connect(new TlsRequirement.Encrypted(), true);
            case VERIFIED, MTA_STS_VERIFIED -> new MxDecision.Connect(new TlsRequirement.Pkix(Set.of(mx.host())), true);
            case DANE_VERIFIED -> new MxDecision.Defer(TlsFailure.DOWNGRADE_REFUSED, refusal(policy, "without DANE ("
                    + mx.host() + " has no usable DNSSEC-signed TLSA records now)"));
        };
    }

    /** The sentence logged and recorded when the memory stops a delivery. */
    public static String refusal(DomainPolicy policy, String without) {
        DowngradeMemory.Entry seen = policy.remembered().orElseThrow();
        return "refusing delivery to " + policy.domain() + " " + without + ": it was reached "
                + seen.protection().with() + " on " + DATE.format(seen.at()) + " (" + seen.mx() + "); run `depesche policy reset "
                + policy.domain() + "` if this is intended";
    }

    private static MxDecision connect(TlsRequirement r) {
        return new MxDecision.Connect(r, false);
    }

    /** For `policy show`: the level the table or the default gives a domain. */
    public TlsLevel levelFor(String domain) {
        Config.Policy entry = table.get(DomainName.key(domain));
        return entry == null ? defaultLevel : TlsLevel.parse(entry.level());
    }

    /** For `policy show` and `depesche probe`: whether the [[delivery.policy]] table has an entry for the domain, in any spelling. */
    public boolean hasEntry(String domain) {
        return table.containsKey(DomainName.key(domain));
    }

    /** For `policy show`: the pins of the domain's static entry, if any. */
    public List<String> pinsFor(String domain) {
        Config.Policy entry = table.get(DomainName.key(domain));
        return entry == null ? List.of() : entry.pins();
    }
}
