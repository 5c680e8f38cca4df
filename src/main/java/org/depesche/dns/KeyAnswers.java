package org.depesche.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * DS and DNSKEY answers kept for the validator, which walks the chain from
 * the trust anchor again for every zone whose own key it has not cached and
 * would otherwise cost a round trip per parent zone each time. An answer is
 * kept only once it verifies along the chain already kept from the trust
 * anchor (RFC 4035 5.2: a DNSKEY RRset self-signed by a key a kept DS names,
 * a DS RRset signed by a kept key of the zone above), for its TTL as the
 * signatures capped it, and handed out again with the TTL that is left: a
 * forged or broken key answer is not kept at all, so one spoofed reply
 * costs one lookup, not minutes of bogus answers. Denials of DS are not
 * kept (what they prove is kept by the validator and InsecurityProof), nor
 * any record that did not verify. The validator still verifies everything
 * it is given.
 */
final class KeyAnswers {
    private final DnsLimits limits;
    private final Clock clock;
    private final ExpiringCache<String, Message> answers;
    private final ExpiringCache<Name, List<DSRecord>> delegations;
    private final ExpiringCache<Name, List<DNSKEYRecord>> keys;
    private final Map<Name, List<Record>> anchors = new LinkedHashMap<>();

    KeyAnswers(List<Record> trustAnchors, DnsLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.answers = new ExpiringCache<>(limits.cache().keyEntries(), clock);
        this.delegations = new ExpiringCache<>(limits.cache().keyEntries(), clock);
        this.keys = new ExpiringCache<>(limits.cache().keyEntries(), clock);
        for (Record r : trustAnchors) anchors.computeIfAbsent(r.getName(), n -> new ArrayList<>()).add(r);
    }

    static boolean isKeyMaterial(int type) {
        return type == Type.DNSKEY || type == Type.DS;
    }

    /** A kept answer to the question, with the query's id and the TTLs that are left, or null. */
    Message kept(Record question, int id) {
        ExpiringCache.Timed<Message> e = answers.timed(key(question));
        if (e == null) return null;
        long left = e.expires().getEpochSecond() - clock.instant().getEpochSecond();
        if (left <= 0) return null;
        Message copy = SignedTtl.remaining(e.value(), left);
        copy.getHeader().setID(id);
        return copy;
    }

    /** Keeps a DS or DNSKEY answer whose TTLs are already capped (SignedTtl), if it verifies: only its answer RRset. */
    void offer(Record question, Message answer) {
        if (answer.getRcode() != Rcode.NOERROR) return;
        Name name = question.getName();
        RRset set = rrset(answer, name, question.getType());
        if (set == null) return;
        boolean verified = question.getType() == Type.DNSKEY ? acceptKeys(name, set) : acceptDs(name, set);
        if (!verified) return;
        Message kept = new Message();
        kept.getHeader().setFlag(org.xbill.DNS.Flags.QR);
        kept.addRecord(question, Section.QUESTION);
        set.rrs().forEach(r -> kept.addRecord(r, Section.ANSWER));
        set.sigs().forEach(r -> kept.addRecord(r, Section.ANSWER));
        answers.put(key(question), kept, ttl(kept));
    }

    /** A DNSKEY RRset signed by one of its keys that a kept DS (or the trust anchor) names. */
    private boolean acceptKeys(Name zone, RRset set) {
        List<DNSKEYRecord> candidates = new ArrayList<>();
        set.rrs().forEach(r -> candidates.add((DNSKEYRecord) r));
        List<DNSKEYRecord> trusted = candidates.stream().filter(k -> namedByDs(zone, k)).toList();
        if (trusted.isEmpty() || !signedBy(set, zone, trusted)) return false;
        keys.put(zone, List.copyOf(candidates), set.getTTL());
        return true;
    }

    private boolean namedByDs(Name zone, DNSKEYRecord key) {
        List<Record> anchor = anchors.get(zone);
        List<? extends Record> named = anchor != null ? anchor : delegations.get(zone);
        if (named == null) return false;
        for (Record r : named) {
            if (r instanceof DNSKEYRecord k && k.equals(key)) return true;
            if (r instanceof DSRecord ds && ds.getFootprint() == key.getFootprint()
                    && ds.getAlgorithm() == key.getAlgorithm() && matches(ds, key)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(DSRecord ds, DNSKEYRecord key) {
        try {
            DSRecord computed = new DSRecord(ds.getName(), ds.getDClass(), ds.getTTL(), ds.getDigestID(), key);
            return java.util.Arrays.equals(computed.getDigest(), ds.getDigest());
        } catch (RuntimeException e) {
            return false; // a digest type this JDK cannot compute
        }
    }

    /** A DS RRset signed by a kept key of a zone above the name (RFC 4035 5.2). */
    private boolean acceptDs(Name name, RRset set) {
        Name signer = set.sigs().isEmpty() ? null : set.sigs().getFirst().getSigner();
        if (signer == null || !name.subdomain(signer) || name.equals(signer)) return false;
        List<DNSKEYRecord> signerKeys = keys.get(signer);
        if (signerKeys == null || !signedBy(set, signer, signerKeys)) return false;
        List<DSRecord> ds = new ArrayList<>();
        set.rrs().forEach(r -> ds.add((DSRecord) r));
        delegations.put(name, List.copyOf(ds), set.getTTL());
        return true;
    }

    private boolean signedBy(RRset set, Name signer, List<DNSKEYRecord> signerKeys) {
        return signedBy(set, signer, signerKeys, clock.instant(), limits.work().maxValidateRrsigs());
    }

    /** RFC 4035 5.3: one RRSIG by the signer, made with one of the given keys, verifies now; at most maxTries tried. */
    static boolean signedBy(RRset set, Name signer, List<DNSKEYRecord> signerKeys, Instant now, int maxTries) {
        int tried = 0;
        for (RRSIGRecord sig : set.sigs()) {
            if (!sig.getSigner().equals(signer)) continue;
            for (DNSKEYRecord key : signerKeys) {
                if (key.getFootprint() != sig.getFootprint() || key.getAlgorithm() != sig.getAlgorithm()) continue;
                if (tried++ >= maxTries) return false;
                try {
                    DNSSEC.verify(set, sig, key, now);
                    return true;
                } catch (DNSSEC.DNSSECException e) {
                    // another signature may verify
                }
            }
        }
        return false;
    }

    private static RRset rrset(Message m, Name name, int type) {
        for (RRset set : m.getSectionRRsets(Section.ANSWER)) {
            if (set.getName().equals(name) && set.getType() == type) return set;
        }
        return null;
    }

    private long ttl(Message answer) {
        return SignedTtl.shortest(answer, limits.cache().maxTtl().toSeconds());
    }

    private static String key(Record question) {
        return DnsNames.text(question.getName()) + "/" + question.getType();
    }
}
