package org.depesche.dns;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.utils.base32;

/**
 * Decides whether a name the validator did not call secure lies in unsigned
 * space, and says so only on proof (RFC 4033 5, RFC 4035 4.3 and 5.2): a
 * chain of validated DS answers from the trust anchor down to a zone cut
 * that a signed record of the parent zone shows to be a delegation without
 * DS, or whose DS records name only algorithms or digest types the
 * validator cannot use (RFC 4035 5.2, RFC 6840 5.2). Everything short of
 * that proof (a lookup that timed out, a key that could not be fetched, a
 * denial whose signatures do not verify) is not proof, whatever status
 * dnsjava's validator gave the answer: it reports a swallowed key-fetch
 * failure as an unchecked answer without AD, which looks like an insecure
 * one (docs/dnsjava-unchecked-denial.md).
 *
 * <p>The walk asks the validator for the DS RRset of every name between the
 * trust anchor and the name, top down; the NSEC and NSEC3 records of a
 * denial are verified here again against the parent's validated DNSKEY
 * RRset, because an opt-out proof (RFC 5155 6, 8.6) comes back from the
 * validator without AD by design (RFC 5155 9.2). What each name turned out to be
 * (signed cut, unsigned cut, no cut) is kept for the TTL of what proved it.
 */
final class InsecurityProof {
    /**
     * One query through the validator, with AD set only where it validated
     * the answer; with {@code checkingDisabled} the upstream's answer as it
     * came (RFC 4035 3.2.2), for proofs checked here.
     */
    interface Validator {
        Reply ask(Name name, int type, boolean checkingDisabled);
    }

    /** A response, or why there is none (status and reason of the failed lookup). */
    record Reply(Message message, DnssecStatus failure, String reason) {
        static Reply of(Message m) {
            return new Reply(m, null, "");
        }

        static Reply failed(Answer a) {
            return new Reply(null, a.result().status(), a.result().reason());
        }

        boolean validated() {
            return message != null && message.getHeader().getFlag(Flags.AD);
        }
    }

    sealed interface Verdict permits Proven, NotProven { }

    /** The name lies below {@code cut}, an unsigned delegation, for the reason given. */
    record Proven(Name cut, String how) implements Verdict { }

    /** Not proven: the status the answer gets instead (indeterminate or bogus) and why. */
    record NotProven(DnssecStatus status, String reason) implements Verdict { }

    /**
     * RFC 8624 3.1 and 3.3: the algorithms and DS digest types dnsjava's
     * validator uses, by the same rules (it refuses RSAMD5 and DSA, and
     * GOST or the Edwards curves without a provider for them): a DS set of
     * none of these makes a zone unsigned for it and for us alike.
     */
    private static Set<Integer> usableAlgorithms() {
        Set<Integer> usable = new HashSet<>(Set.of(DNSSEC.Algorithm.RSASHA1, DNSSEC.Algorithm.RSA_NSEC3_SHA1,
                DNSSEC.Algorithm.RSASHA256, DNSSEC.Algorithm.RSASHA512, DNSSEC.Algorithm.ECDSAP256SHA256,
                DNSSEC.Algorithm.ECDSAP384SHA384));
        if (hasProvider("MessageDigest.GOST3411")) usable.add(DNSSEC.Algorithm.ECC_GOST);
        if (hasProvider("KeyFactory.Ed25519")) usable.add(DNSSEC.Algorithm.ED25519);
        if (hasProvider("KeyFactory.Ed448")) usable.add(DNSSEC.Algorithm.ED448);
        return Set.copyOf(usable);
    }

    private static Set<Integer> usableDigests() {
        Set<Integer> usable = new HashSet<>(Set.of(DNSSEC.Digest.SHA1, DNSSEC.Digest.SHA256, DNSSEC.Digest.SHA384));
        if (hasProvider("MessageDigest.GOST3411")) usable.add(DNSSEC.Digest.GOST3411);
        return Set.copyOf(usable);
    }

    private static boolean hasProvider(String service) {
        return java.security.Security.getProviders(service) != null;
    }

    private boolean usable(DSRecord ds) {
        return algorithms.contains(ds.getAlgorithm()) && digests.contains(ds.getDigestID());
    }

    private static final int MAX_NSEC3_ITERATIONS = 2500;
    private static final int MAX_PROOF_RRSETS = 8;
    private static final base32 BASE32HEX = new base32(base32.Alphabet.BASE32HEX, false, false);

    private final Validator validator;
    private final List<Name> anchors;
    private final DnsLimits limits;
    private final Clock clock;
    private final ExpiringCache<Name, Level> levels;
    private final ExpiringCache<Name, List<DNSKEYRecord>> keys;
    /** Read once, as dnsjava's validator reads its providers once when it starts. */
    private final Set<Integer> algorithms = usableAlgorithms();
    private final Set<Integer> digests = usableDigests();

    /** What one name between the trust anchor and the asked name is, or why that could not be told. */
    private sealed interface Step permits Level, Undecided { }

    private sealed interface Level extends Step permits SignedCut, UnsignedCut, NoCut { }

    private record SignedCut() implements Level { }

    private record UnsignedCut(String how) implements Level { }

    private record NoCut() implements Level { }

    /** Not kept: the next lookup asks again. */
    private record Undecided(DnssecStatus status, String reason) implements Step { }

    InsecurityProof(Validator validator, List<Name> anchors, DnsLimits limits, Clock clock) {
        this.validator = validator;
        this.anchors = List.copyOf(anchors);
        this.limits = limits;
        this.clock = clock;
        this.levels = new ExpiringCache<>(limits.cache().keyEntries(), clock);
        this.keys = new ExpiringCache<>(limits.cache().keyEntries(), clock);
    }

    /**
     * Is {@code name} proven to lie in unsigned space? For data of type DS
     * ask for the parent: a DS RRset belongs to the zone above its owner.
     */
    Verdict prove(Name name) {
        Name anchor = anchorFor(name);
        if (anchor == null) {
            return new Proven(Name.root, "no configured trust anchor covers " + DnsNames.text(name));
        }
        Name zone = anchor;
        for (int labels = anchor.labels() + 1; labels <= name.labels(); labels++) {
            Name level = labels == name.labels() ? name : new Name(name, name.labels() - labels);
            switch (step(zone, level)) {
                case Undecided u -> {
                    return new NotProven(u.status(), u.reason());
                }
                case UnsignedCut cut -> {
                    return new Proven(level, cut.how());
                }
                case SignedCut signed -> zone = level;
                case NoCut inside -> { }
            }
        }
        return new NotProven(DnssecStatus.INDETERMINATE, DnsNames.text(name) + " lies in the signed zone "
                + DnsNames.text(zone) + ", yet its answer did not validate and nothing proves it unsigned");
    }

    private Name anchorFor(Name name) {
        Name best = null;
        for (Name a : anchors) {
            if (name.subdomain(a) && (best == null || a.labels() > best.labels())) best = a;
        }
        return best;
    }

    private Step step(Name zone, Name level) {
        Level known = levels.get(level);
        if (known != null) return known;
        Reply r = validator.ask(level, Type.DS, false);
        if (r.message() == null) {
            return new Undecided(r.failure(), "the DS lookup for " + DnsNames.text(level) + " failed: " + r.reason());
        }
        Message m = r.message();
        if (m.getRcode() == Rcode.SERVFAIL) return afterServfail(zone, level, m);
        List<DSRecord> ds = dsRecords(m, level);
        if (r.validated() && m.getRcode() == Rcode.NOERROR && !ds.isEmpty()) {
            Level fact = ds.stream().anyMatch(this::usable) ? new SignedCut()
                    : new UnsignedCut("the DS records of " + DnsNames.text(level)
                            + " name only algorithms or digest types that cannot be validated (RFC 4035 5.2, RFC 6840 5.2)");
            return keep(level, fact, m);
        }
        Level denied = fromDenial(zone, level, m);
        if (denied != null) return keep(level, denied, m);
        if (r.validated() && m.getRcode() == Rcode.NOERROR) return keep(level, new NoCut(), m);
        if (r.validated()) {
            return new Undecided(DnssecStatus.INDETERMINATE, DnsNames.text(level) + " does not exist in the signed zone "
                    + DnsNames.text(zone) + ", so nothing below it can be unsigned");
        }
        return new Undecided(DnssecStatus.INDETERMINATE, "the DS answer for " + DnsNames.text(level)
                + " did not validate and proves no unsigned delegation"
                + (Answer.validatorReason(m).isEmpty() ? "" : " (" + Answer.validatorReason(m) + ")"));
    }

    /**
     * The validator refused the DS denial (dnsjava does so for NSEC3 with
     * too many iterations, RFC 9276 3.2): the records as they came may
     * still show, signed by the zone, what the name is.
     */
    private Step afterServfail(Name zone, Name level, Message bogus) {
        Reply raw = validator.ask(level, Type.DS, true);
        if (raw.message() != null && dsRecords(raw.message(), level).isEmpty()) {
            Level denied = fromDenial(zone, level, raw.message());
            if (denied != null) return keep(level, denied, raw.message());
        }
        return new Undecided(DnssecStatus.BOGUS, Answer.bogusReason(level, Type.DS, bogus));
    }

    private static List<DSRecord> dsRecords(Message m, Name owner) {
        List<DSRecord> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof DSRecord d && d.getName().equals(owner)) out.add(d);
        }
        return out;
    }

    /**
     * RFC 4035 5.2 and RFC 5155 8.6: what records of the parent zone, signed
     * by its validated key, say of {@code level}: a delegation (NS, no SOA)
     * without DS, or an opt-out span covering it (an UnsignedCut); a name
     * of the zone that is no delegation (a NoCut); null if they say neither.
     */
    private Level fromDenial(Name zone, Name level, Message m) {
        List<RRset> nsec = new ArrayList<>();
        List<RRset> nsec3 = new ArrayList<>();
        for (RRset set : m.getSectionRRsets(Section.AUTHORITY)) {
            if (set.getType() == Type.NSEC && set.getName().subdomain(zone)) nsec.add(set);
            if (set.getType() == Type.NSEC3 && set.getName().labels() == zone.labels() + 1
                    && set.getName().subdomain(zone)) nsec3.add(set);
        }
        // RFC 4035 3.1.3 and RFC 5155 7.2: a denial needs at most three records; more is an attacker's work
        if (nsec.isEmpty() && nsec3.isEmpty() || nsec.size() + nsec3.size() > MAX_PROOF_RRSETS) return null;
        List<DNSKEYRecord> zoneKeys = zoneKeys(zone);
        if (zoneKeys.isEmpty()) return null;
        for (RRset set : nsec) {
            NSECRecord r = (NSECRecord) set.first();
            if (r.getName().equals(level) && signedBy(set, zone, zoneKeys)) {
                return named(r::hasType, new UnsignedCut(DnsNames.text(zone) + " delegates "
                        + DnsNames.text(level) + " without DS, shown by its signed NSEC record (RFC 4035 5.2)"));
            }
        }
        List<NSEC3Record> chain = new ArrayList<>();
        for (RRset set : nsec3) {
            NSEC3Record r = (NSEC3Record) set.first();
            if (r.getHashAlgorithm() == NSEC3Record.Digest.SHA1 && signedBy(set, zone, zoneKeys)) chain.add(r);
        }
        if (chain.isEmpty()) return null;
        NSEC3Record first = chain.getFirst();
        // RFC 5155 10.3: no key size allows more; hashing beyond it would be work for nothing
        if (first.getIterations() > MAX_NSEC3_ITERATIONS) return null;
        chain.removeIf(r -> r.getIterations() != first.getIterations() || !Arrays.equals(r.getSalt(), first.getSalt()));
        NSEC3Record match = matching(chain, level);
        if (match != null) {
            return named(match::hasType, new UnsignedCut(DnsNames.text(zone) + " delegates "
                    + DnsNames.text(level) + " without DS, shown by its signed NSEC3 record (RFC 5155 8.6)"));
        }
        UnsignedCut optOut = optOutSpan(zone, level, chain);
        if (optOut != null) return optOut;
        // RFC 9276 3.2: a denial made with too many iterations may be treated as insecure, but only one that
        // is about this name (its hash covered), so a signed record replayed from elsewhere in the chain proves nothing
        if (first.getIterations() > limits.work().maxNsec3Iterations() && covering(chain, level) != null) {
            return new UnsignedCut(DnsNames.text(zone) + " denies " + DnsNames.text(level)
                    + " with NSEC3 of " + first.getIterations() + " iterations, more than the "
                    + limits.work().maxNsec3Iterations() + " trusted (RFC 9276 3.2)");
        }
        return null;
    }

    /** RFC 5155 8.3 and 8.6: the closest encloser matched, the next closer name covered by an opt-out span. */
    private static UnsignedCut optOutSpan(Name zone, Name level, List<NSEC3Record> chain) {
        for (Name encloser = new Name(level, 1); encloser.subdomain(zone); encloser = new Name(encloser, 1)) {
            NSEC3Record ce = matching(chain, encloser);
            if (ce == null) {
                if (encloser.equals(zone)) return null;
                continue;
            }
            if (ce.hasType(Type.DNAME) || (ce.hasType(Type.NS) && !ce.hasType(Type.SOA))) return null;
            Name nextCloser = new Name(level, level.labels() - encloser.labels() - 1);
            NSEC3Record span = covering(chain, nextCloser);
            if (span == null || (span.getFlags() & NSEC3Record.Flags.OPT_OUT) == 0) return null;
            return new UnsignedCut(DnsNames.text(level) + " lies in an opt-out span of "
                    + DnsNames.text(zone) + "'s signed NSEC3 chain, so it has no DS (RFC 5155 6)");
        }
        return null;
    }

    /** The record at the name itself: a delegation without DS is the cut, no NS is no cut, anything else says nothing. */
    private static Level named(java.util.function.IntPredicate has, UnsignedCut cut) {
        if (!has.test(Type.NS) || has.test(Type.SOA)) return new NoCut();
        return has.test(Type.DS) ? null : cut;
    }


    private static NSEC3Record matching(List<NSEC3Record> chain, Name name) {
        for (NSEC3Record r : chain) {
            byte[] owner = ownerHash(r);
            if (owner != null && Arrays.equals(owner, hash(r, name))) return r;
        }
        return null;
    }

    /** RFC 5155 8.3: the record whose interval (owner hash, next hash) holds the name's hash, wrapping at the end. */
    private static NSEC3Record covering(List<NSEC3Record> chain, Name name) {
        for (NSEC3Record r : chain) {
            byte[] owner = ownerHash(r);
            byte[] h = hash(r, name);
            if (owner == null || h == null) continue;
            byte[] next = r.getNext();
            boolean wraps = Arrays.compareUnsigned(owner, next) >= 0;
            boolean after = Arrays.compareUnsigned(owner, h) < 0;
            boolean before = Arrays.compareUnsigned(h, next) < 0;
            if (wraps ? (after || before) : (after && before)) return r;
        }
        return null;
    }

    private static byte[] ownerHash(NSEC3Record r) {
        try {
            return BASE32HEX.fromString(r.getName().getLabelString(0).toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] hash(NSEC3Record r, Name name) {
        try {
            return r.hashName(name);
        } catch (java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    private boolean signedBy(RRset set, Name zone, List<DNSKEYRecord> zoneKeys) {
        return KeyAnswers.signedBy(set, zone, zoneKeys, clock.instant(), limits.work().maxValidateRrsigs());
    }

    /** The zone's DNSKEY RRset, only as the validator validated it. */
    private List<DNSKEYRecord> zoneKeys(Name zone) {
        List<DNSKEYRecord> known = keys.get(zone);
        if (known != null) return known;
        Reply r = validator.ask(zone, Type.DNSKEY, false);
        if (!r.validated()) return List.of();
        List<DNSKEYRecord> found = new ArrayList<>();
        for (Record rec : r.message().getSection(Section.ANSWER)) {
            if (rec instanceof DNSKEYRecord k && k.getName().equals(zone)) found.add(k);
        }
        List<DNSKEYRecord> value = List.copyOf(found);
        keys.put(zone, value, ttl(r.message()));
        return value;
    }

    /** Kept for the shortest TTL in the answer that proved it (already capped by the signatures, RFC 4035 5.3.3). */
    private Level keep(Name level, Level fact, Message proof) {
        levels.put(level, fact, ttl(proof));
        return fact;
    }

    private long ttl(Message m) {
        return SignedTtl.shortest(m, limits.cache().maxTtl().toSeconds());
    }
}
