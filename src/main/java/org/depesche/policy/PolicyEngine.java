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
import org.depesche.dane.TlsaRecord;
import org.depesche.dns.DnsResult;
import org.depesche.dns.DnssecStatus;
import org.depesche.mtasts.PolicyCache;
import org.depesche.mtasts.StsPolicy;
import org.depesche.smtp.client.TlsRequirement;
import org.xbill.DNS.TLSARecord;

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

    private final TlsLevel defaultLevel;
    private final Map<String, Config.Policy> table;
    private final DowngradeMemory memory;
    private final PolicyCache mtaSts;

    public PolicyEngine(Config.Delivery settings, DowngradeMemory memory) {
        this(settings, memory, null);
    }

    /** {@code mtaSts}: where destination domains' MTA-STS policies come from; null to ignore MTA-STS. */
    public PolicyEngine(Config.Delivery settings, DowngradeMemory memory, PolicyCache mtaSts) {
        this.mtaSts = mtaSts;
        this.defaultLevel = TlsLevel.parse(settings.defaultTlsLevel());
        this.table = settings.policy().stream()
                .collect(Collectors.toUnmodifiableMap(p -> key(p.domain()), Function.identity()));
        this.memory = memory;
    }

    public DowngradeMemory memory() {
        return memory;
    }

    /** The policy for a destination domain; the request is for what a message asks of its own (issue 4). */
    public DomainPolicy forDomain(String domain, DeliveryRequest request) throws IOException {
        Config.Policy entry = table.get(key(domain));
        TlsLevel level = entry == null ? defaultLevel : TlsLevel.parse(entry.level());
        List<String> pins = entry == null ? List.of() : entry.pins();
        Optional<StsPolicy> sts = mtaSts == null ? Optional.empty() : mtaSts.policyFor(domain).map(PolicyCache.Entry::policy);
        return new DomainPolicy(domain, level, pins, memory.get(domain), sts);
    }

    /**
     * The DNS facts for one MX host. {@code dnssecSecure}: the MX RRset (or,
     * for an implicit MX, the address lookup) and the host's address RRsets
     * all validated (RFC 7672 2.2). {@code tlsa}: the TLSA answer, null when
     * it was not looked up. {@code referenceNames}: the MX host name and, for
     * CNAMEs, the names of RFC 7672 2.2.3.
     */
    public record MxFacts(String host, boolean dnssecSecure, DnsResult tlsa, Set<String> referenceNames) {
    }

    public MxDecision forMx(DomainPolicy policy, MxFacts mx) {
        MxDecision byLevel = applyMtaSts(policy, mx, byLevel(policy, mx));
        if (!(byLevel instanceof MxDecision.Connect connect) || policy.remembered().isEmpty()) return byLevel;
        return applyMemory(policy, mx, connect.requirement());
    }

    private MxDecision byLevel(DomainPolicy policy, MxFacts mx) {
        return switch (policy.level()) {
            case NONE -> connect(new TlsRequirement.None());
            case MAY -> connect(new TlsRequirement.Opportunistic());
            case ENCRYPT -> connect(new TlsRequirement.Encrypted());
            case VERIFY -> connect(policy.pins().isEmpty() ? new TlsRequirement.Pkix(Set.of(mx.host()))
                    : new TlsRequirement.Pinned(Set.copyOf(policy.pins())));
            case DANE, DANE_ONLY -> dane(policy, mx);
        };
    }

    /** RFC 7672 2.2: TLSA counts only from a secure chain; a failed TLSA lookup never falls back. */
    private MxDecision dane(DomainPolicy policy, MxFacts mx) {
        boolean only = policy.level() == TlsLevel.DANE_ONLY;
        if (!mx.dnssecSecure() || mx.tlsa() == null) {
            return only ? new MxDecision.Defer("policy dane-only for " + policy.domain() + ", but the DNS records of "
                    + mx.host() + " are not DNSSEC-signed") : connect(new TlsRequirement.Opportunistic());
        }
        DnsResult t = mx.tlsa();
        if (t.status() == DnssecStatus.BOGUS || t.status() == DnssecStatus.INDETERMINATE
                || t.outcome() == DnsResult.Outcome.FAILED) {
            return new MxDecision.Defer("the TLSA lookup for " + t.qname() + " failed DNSSEC validation ("
                    + t.status().name().toLowerCase(Locale.ROOT) + (t.reason().isEmpty() ? "" : ": " + t.reason())
                    + "), so " + mx.host() + " cannot be authenticated; not falling back to unauthenticated TLS");
        }
        if (t.outcome() != DnsResult.Outcome.FOUND || !t.isSecure()) {
            return only ? new MxDecision.Defer("policy dane-only for " + policy.domain() + ", but " + mx.host()
                    + " publishes no DNSSEC-signed TLSA records at " + t.qname())
                    : connect(new TlsRequirement.Opportunistic());
        }
        List<TlsaRecord> records = t.records(TLSARecord.class).stream()
                .map(r -> new TlsaRecord(r.getCertificateUsage(), r.getSelector(), r.getMatchingType(),
                        r.getCertificateAssociationData())).toList();
        TlsRequirement.Dane dane = new TlsRequirement.Dane(records, mx.referenceNames());
        if (dane.hasUsableRecords()) return connect(dane);
        // RFC 7672 2.2: all records unusable still means mandatory (unauthenticated) TLS.
        return only ? new MxDecision.Defer("policy dane-only for " + policy.domain() + ", but no TLSA record of "
                + mx.host() + " is usable for SMTP (RFC 7672 3.1.3)") : connect(new TlsRequirement.Encrypted());
    }

    /**
     * RFC 8461 4.1 and 5: with an enforce policy an MX must match the
     * policy's patterns and present a PKIX-valid certificate for its name;
     * otherwise it is skipped (the message waits). DANE takes precedence
     * (RFC 8461 2), and pins are already stricter. Testing mode changes
     * nothing and only logs a mismatch (RFC 8461 5.2).
     */
    private MxDecision applyMtaSts(DomainPolicy policy, MxFacts mx, MxDecision decision) {
        if (policy.mtaSts().isEmpty() || !(decision instanceof MxDecision.Connect connect)) return decision;
        if (connect.requirement() instanceof TlsRequirement.Dane || connect.requirement() instanceof TlsRequirement.Pinned) return decision;
        StsPolicy sts = policy.mtaSts().get();
        boolean listed = sts.matches(mx.host());
        return switch (sts.mode()) {
            case NONE -> decision;
            case TESTING -> {
                if (!listed) log.warn("event=mta-sts-testing-failure domain={} mx={} reason=\"mx not listed in the policy\"",
                        policy.domain(), mx.host());
                yield decision;
            }
            case ENFORCE -> listed ? new MxDecision.Connect(new TlsRequirement.Pkix(Set.of(mx.host())), connect.raisedByMemory())
                    : new MxDecision.Defer(mx.host() + " is not listed in the MTA-STS policy of " + policy.domain()
                    + " (mx " + String.join(", ", sts.mx()) + "), so it is not used (RFC 8461 4.1)");
        };
    }

    /** THREATS T10: never less than what the domain was reached with before. */
    private MxDecision applyMemory(DomainPolicy policy, MxFacts mx, TlsRequirement requirement) {
        DowngradeMemory.Entry seen = policy.remembered().get();
        Protection offered = guaranteed(requirement);
        if (offered.atLeast(seen.protection())) return connect(requirement);
        return switch (seen.protection()) {
            case NONE -> connect(requirement);
            case TLS -> new MxDecision.Connect(new TlsRequirement.Encrypted(), true);
            case VERIFIED -> new MxDecision.Connect(new TlsRequirement.Pkix(Set.of(mx.host())), true);
            case DANE -> new MxDecision.Defer(refusal(policy, "without DANE (" + mx.host()
                    + " has no usable DNSSEC-signed TLSA records now)"));
        };
    }

    /** The least protection a requirement lets a connection have. */
    static Protection guaranteed(TlsRequirement r) {
        return switch (r) {
            case TlsRequirement.None n -> Protection.NONE;
            case TlsRequirement.Opportunistic o -> Protection.NONE;
            case TlsRequirement.Encrypted e -> Protection.TLS;
            case TlsRequirement.Dane d -> d.hasUsableRecords() ? Protection.DANE : Protection.TLS;
            case TlsRequirement.Pkix p -> Protection.VERIFIED;
            case TlsRequirement.Pinned p -> Protection.VERIFIED;
        };
    }

    /** The sentence logged and recorded when the memory stops a delivery. */
    public static String refusal(DomainPolicy policy, String without) {
        DowngradeMemory.Entry seen = policy.remembered().orElseThrow();
        return "refusing delivery to " + policy.domain() + " " + without + ": it was reached "
                + seen.protection().words() + " on " + DATE.format(seen.at()) + " (" + seen.mx() + "); run `depesche policy reset "
                + policy.domain() + "` if this is intended";
    }

    private static MxDecision connect(TlsRequirement r) {
        return new MxDecision.Connect(r, false);
    }

    private static String key(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    /** For `policy show`: the level the table or the default gives a domain. */
    public TlsLevel levelFor(String domain) {
        Config.Policy entry = table.get(key(domain));
        return entry == null ? defaultLevel : TlsLevel.parse(entry.level());
    }

    /** For `policy show`: the pins of the domain's static entry, if any. */
    public List<String> pinsFor(String domain) {
        Config.Policy entry = table.get(key(domain));
        return entry == null ? List.of() : entry.pins();
    }
}
