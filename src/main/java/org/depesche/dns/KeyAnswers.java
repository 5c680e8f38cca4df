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
 * a DS answer signed by a kept key of the zone above), for its TTL as the
 * signatures capped it: a forged or broken key answer is not kept at all, so
 * one spoofed reply costs one lookup, not minutes of bogus answers.
 * The validator still verifies everything it is given.
 */
final class KeyAnswers {
    private final DnsLimits limits;
    private final Clock clock;
    private final Map<String, Kept<Message>> answers;
    private final Map<Name, Kept<List<DSRecord>>> delegations;
    private final Map<Name, Kept<List<DNSKEYRecord>>> keys;
    private final Map<Name, List<Record>> anchors = new LinkedHashMap<>();

    private record Kept<T>(T value, Instant expires) { }

    KeyAnswers(List<Record> trustAnchors, DnsLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.answers = bounded(limits.keyCacheEntries());
        this.delegations = bounded(limits.keyCacheEntries());
        this.keys = bounded(limits.keyCacheEntries());
        for (Record r : trustAnchors) anchors.computeIfAbsent(r.getName(), n -> new ArrayList<>()).add(r);
    }

    private static <K, T> Map<K, Kept<T>> bounded(int max) {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Kept<T>> eldest) {
                return size() > max;
            }
        };
    }

    static boolean isKeyMaterial(int type) {
        return type == Type.DNSKEY || type == Type.DS;
    }

    /** A kept answer to the question, with the query's id, or null. */
    Message kept(Record question, int id) {
        Message m = get(answers, key(question));
        if (m == null) return null;
        Message copy = m.clone();
        copy.getHeader().setID(id);
        return copy;
    }

    /** Keeps a DS or DNSKEY answer whose TTLs are already capped (SignedTtl), if it verifies. */
    void offer(Record question, Message answer) {
        if (answer.getRcode() != Rcode.NOERROR) return;
        Name name = question.getName();
        boolean verified = question.getType() == Type.DNSKEY ? acceptKeys(name, answer) : acceptDs(name, answer);
        if (!verified) return;
        long ttl = ttl(answer);
        if (ttl > 0) put(answers, key(question), answer.clone(), ttl);
    }

    /** A DNSKEY RRset signed by one of its keys that a kept DS (or the trust anchor) names. */
    private boolean acceptKeys(Name zone, Message answer) {
        RRset set = rrset(answer, zone, Type.DNSKEY);
        if (set == null) return false;
        List<DNSKEYRecord> candidates = new ArrayList<>();
        set.rrs().forEach(r -> candidates.add((DNSKEYRecord) r));
        List<DNSKEYRecord> trusted = candidates.stream().filter(k -> namedByDs(zone, k)).toList();
        if (trusted.isEmpty() || !signedBy(set, zone, trusted)) return false;
        put(keys, zone, List.copyOf(candidates), ttl(answer));
        return true;
    }

    private boolean namedByDs(Name zone, DNSKEYRecord key) {
        List<Record> anchor = anchors.get(zone);
        List<? extends Record> named = anchor != null ? anchor : get(delegations, zone);
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

    /** Every RRset of the answer and authority sections signed by a kept key of one zone above the name. */
    private boolean acceptDs(Name name, Message answer) {
        List<RRset> sets = new ArrayList<>(answer.getSectionRRsets(Section.ANSWER));
        sets.addAll(answer.getSectionRRsets(Section.AUTHORITY));
        if (sets.isEmpty()) return false;
        List<DSRecord> ds = new ArrayList<>();
        for (RRset set : sets) {
            Name signer = set.sigs().isEmpty() ? null : set.sigs().getFirst().getSigner();
            if (signer == null || !name.subdomain(signer) || name.equals(signer)) return false;
            List<DNSKEYRecord> signerKeys = get(keys, signer);
            if (signerKeys == null || !signedBy(set, signer, signerKeys)) return false;
            if (set.getType() == Type.DS && set.getName().equals(name)) set.rrs().forEach(r -> ds.add((DSRecord) r));
        }
        if (!ds.isEmpty()) put(delegations, name, List.copyOf(ds), ttl(answer));
        return true;
    }

    private boolean signedBy(RRset set, Name signer, List<DNSKEYRecord> signerKeys) {
        return signedBy(set, signer, signerKeys, clock.instant(), limits.maxValidateRrsigs());
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
        long ttl = limits.maxTtl().toSeconds();
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
            for (Record r : answer.getSection(section)) ttl = Math.min(ttl, r.getTTL());
        }
        return ttl;
    }

    private static String key(Record question) {
        return DnsNames.text(question.getName()) + "/" + question.getType();
    }

    private <K, T> T get(Map<K, Kept<T>> map, K key) {
        synchronized (map) {
            Kept<T> k = map.get(key);
            if (k == null) return null;
            if (!k.expires().isAfter(clock.instant())) {
                map.remove(key);
                return null;
            }
            return k.value();
        }
    }

    private <K, T> void put(Map<K, Kept<T>> map, K key, T value, long ttl) {
        if (ttl <= 0) return;
        synchronized (map) {
            map.put(key, new Kept<>(value, clock.instant().plusSeconds(ttl)));
        }
    }
}
