package org.depesche.dns;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.NSEC3PARAMRecord;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.utils.base32;

/**
 * One zone of the test hierarchy: its records, and once sealed its SOA,
 * apex NS, DNSKEY, NSEC chain (RFC 4035 2.3) and RRSIGs over every
 * authoritative RRset (RFC 4035 2.2), made with an ECDSA P-256 key
 * (algorithm 13, RFC 6605) generated for the test.
 */
final class TestZone {
    static final long TTL = 300;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final base32 BASE32HEX = new base32(base32.Alphabet.BASE32HEX, false, true);

    final Name apex;
    final boolean signed;
    boolean lame;
    /** Negative: NSEC; otherwise NSEC3 (RFC 5155) with this many extra iterations, no salt. */
    int nsec3Iterations = -1;
    /** NSEC3 with the opt-out flag: unsigned delegations get no NSEC3 record of their own (RFC 5155 6). */
    boolean optOut;
    /** A digest type (RFC 4034 5.1.3) this zone's parent publishes a DS of, with made-up digest bytes; 0: none. */
    int foreignDsDigest;
    int trapKeys;
    int trapSigs;
    private final TreeMap<Name, Map<Integer, RRset>> names = new TreeMap<>();
    /** NSEC3 RRsets by hashed owner name, which sorts as the hashes do (base32hex keeps the order). */
    private final TreeMap<Name, RRset> nsec3 = new TreeMap<>();
    private NSEC3PARAMRecord nsec3Param;
    private KeyPair keyPair;
    private DNSKEYRecord dnskey;

    TestZone(Name apex, boolean signed) {
        this.apex = apex;
        this.signed = signed;
    }

    void add(Record r) {
        if (!r.getName().subdomain(apex)) {
            throw new IllegalArgumentException(r.getName() + " is not inside zone " + apex);
        }
        names.computeIfAbsent(r.getName(), n -> new LinkedHashMap<>())
                .computeIfAbsent(r.getType(), t -> new RRset()).addRR(r);
    }

    /** The zone key, generated on first use so a parent can publish the DS before the child is sealed. */
    DNSKEYRecord key() {
        if (dnskey == null) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                keyPair = g.generateKeyPair();
                dnskey = new DNSKEYRecord(apex, DClass.IN, TTL, DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY,
                        DNSKEYRecord.Protocol.DNSSEC, DNSSEC.Algorithm.ECDSAP256SHA256, keyPair.getPublic());
            } catch (GeneralSecurityException | DNSSEC.DNSSECException e) {
                throw new IllegalStateException(e);
            }
        }
        return dnskey;
    }

    DSRecord ds() {
        return new DSRecord(apex, DClass.IN, TTL, DNSSEC.Digest.SHA256, key());
    }

    /** Delegates a child zone from here: NS at the cut, and DS when the child is signed (RFC 4035 2.4). */
    void delegate(TestZone child) {
        add(new NSRecord(child.apex, DClass.IN, TTL, prefixed("ns", child.apex)));
        if (child.foreignDsDigest > 0) {
            byte[] digest = new byte[32];
            RANDOM.nextBytes(digest);
            add(new DSRecord(child.apex, DClass.IN, TTL, child.key().getFootprint(), child.key().getAlgorithm(),
                    child.foreignDsDigest, digest));
        } else if (child.signed) {
            add(child.ds());
        }
    }

    /** Adds SOA, NS, DNSKEY and NSEC records and signs; call once, after every delegation. */
    void seal(Instant now) {
        Name ns = prefixed("ns", apex);
        add(new SOARecord(apex, DClass.IN, TTL, ns, prefixed("hostmaster", apex),
                1, 3600, 600, 86400, TTL));
        add(new NSRecord(apex, DClass.IN, TTL, ns));
        if (!signed) return;
        if (!lame) add(key());
        for (int i = 0; i < trapKeys; i++) add(collidingKey(key()));
        if (nsec3Iterations >= 0) {
            addNsec3Chain();
        } else {
            addNsecChain();
        }
        for (Map.Entry<Name, Map<Integer, RRset>> e : names.entrySet()) {
            for (RRset set : e.getValue().values()) {
                if (isDelegation(e.getKey()) && set.getType() == Type.NS) continue; // RFC 4035 2.2
                sign(set, now);
            }
        }
    }

    private void addNsecChain() {
        List<Name> owners = new ArrayList<>(names.keySet());
        for (int i = 0; i < owners.size(); i++) {
            Name owner = owners.get(i);
            Name next = owners.get((i + 1) % owners.size());
            TreeSet<Integer> types = new TreeSet<>(names.get(owner).keySet());
            types.add(Type.NSEC);
            types.add(Type.RRSIG);
            int[] bitmap = types.stream().mapToInt(Integer::intValue).toArray();
            names.get(owner).put(Type.NSEC, new RRset(new NSECRecord(owner, DClass.IN, TTL, next, bitmap)));
        }
    }

    /** RFC 5155 7.1: one NSEC3 per name that exists, empty non-terminals included, in hash order. */
    private void addNsec3Chain() {
        nsec3Param = new NSEC3PARAMRecord(apex, DClass.IN, 0, NSEC3Record.Digest.SHA1, 0, nsec3Iterations, null);
        add(nsec3Param);
        TreeMap<Name, int[]> chain = new TreeMap<>();
        for (Name owner : new ArrayList<>(names.keySet())) {
            TreeSet<Integer> types = new TreeSet<>(names.get(owner).keySet());
            if (optOut && isDelegation(owner) && !types.contains(Type.DS)) continue;
            if (!isDelegation(owner) || types.contains(Type.DS)) types.add(Type.RRSIG); // unsigned cut: nothing signed
            chain.put(hashed(owner), types.stream().mapToInt(Integer::intValue).toArray());
            for (Name n = owner; n.labels() > apex.labels(); ) {
                n = new Name(n, 1);
                chain.putIfAbsent(hashed(n), new int[0]);
            }
        }
        List<Name> owners = new ArrayList<>(chain.keySet());
        for (int i = 0; i < owners.size(); i++) {
            Name next = owners.get((i + 1) % owners.size());
            byte[] nextHash = BASE32HEX.fromString(next.getLabelString(0));
            NSEC3Record r = new NSEC3Record(owners.get(i), DClass.IN, TTL, NSEC3Record.Digest.SHA1,
                    optOut ? NSEC3Record.Flags.OPT_OUT : 0,
                    nsec3Iterations, null, nextHash, chain.get(owners.get(i)));
            nsec3.put(owners.get(i), new RRset(r));
        }
        for (Map.Entry<Name, RRset> e : nsec3.entrySet()) {
            names.computeIfAbsent(e.getKey(), n -> new LinkedHashMap<>()).put(Type.NSEC3, e.getValue());
        }
    }

    boolean usesNsec3() {
        return nsec3Param != null;
    }

    /** The NSEC3 owner name for a name: base32hex of its hash under the apex (RFC 5155 5). */
    Name hashed(Name name) {
        try {
            NSEC3PARAMRecord param = nsec3Param != null ? nsec3Param
                    : new NSEC3PARAMRecord(apex, DClass.IN, 0, NSEC3Record.Digest.SHA1, 0, nsec3Iterations, null);
            return prefixed(BASE32HEX.toString(param.hashName(name)), apex);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The NSEC3 RRset matching a name that exists, or null. */
    RRset matchingNsec3(Name name) {
        return nsec3.get(hashed(name));
    }

    /** The NSEC3 RRset whose hash interval covers a name that does not exist. */
    RRset coveringNsec3(Name name) {
        Name owner = nsec3.floorKey(hashed(name));
        return nsec3.get(owner == null ? nsec3.lastKey() : owner);
    }

    private void sign(RRset set, Instant now) {
        RRSIGRecord sig = signature(set, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
        set.addRR(sig);
        for (int i = 0; i < trapSigs; i++) set.addRR(garbled(sig, i));
    }

    RRSIGRecord signature(RRset set, Instant inception, Instant expiration) {
        return signature(set, key(), keyPair, inception, expiration);
    }

    static RRSIGRecord signature(RRset set, DNSKEYRecord key, KeyPair pair, Instant inception, Instant expiration) {
        RRset plain = new RRset();
        set.rrs().forEach(plain::addRR);
        try {
            return DNSSEC.sign(plain, key, pair.getPrivate(), inception, expiration);
        } catch (DNSSEC.DNSSECException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of a signature with its bytes garbled and its inception moved so it is a distinct record. */
    static RRSIGRecord garbled(RRSIGRecord sig, int variant) {
        byte[] bytes = sig.getSignature().clone();
        for (int i = 0; i < bytes.length; i += 3) bytes[i] ^= (byte) (0x5a + variant);
        return new RRSIGRecord(sig.getName(), sig.getDClass(), sig.getTTL(), sig.getTypeCovered(),
                sig.getAlgorithm(), sig.getOrigTTL(), sig.getExpire(), sig.getTimeSigned().minusSeconds(variant),
                sig.getFootprint(), sig.getSigner(), bytes);
    }

    /**
     * A DNSKEY with the same key tag as the zone key (KeyTrap, CVE-2023-50387):
     * permuting the 16-bit words of the public key keeps the checksum that is the tag (RFC 4034 B).
     */
    private static DNSKEYRecord collidingKey(DNSKEYRecord real) {
        byte[] key = real.getKey();
        byte[] out;
        do {
            List<Integer> words = new ArrayList<>();
            for (int i = 0; i < key.length; i += 2) words.add(i);
            java.util.Collections.shuffle(words, RANDOM);
            out = new byte[key.length];
            for (int i = 0; i < words.size(); i++) {
                out[2 * i] = key[words.get(i)];
                out[2 * i + 1] = key[words.get(i) + 1];
            }
        } while (Arrays.equals(out, key));
        DNSKEYRecord fake = new DNSKEYRecord(real.getName(), DClass.IN, real.getTTL(), real.getFlags(),
                real.getProtocol(), real.getAlgorithm(), out);
        if (fake.getFootprint() != real.getFootprint()) throw new IllegalStateException("key tag did not collide");
        return fake;
    }

    // ---- lookups used by the server ----

    RRset rrset(Name name, int type) {
        Map<Integer, RRset> node = names.get(name);
        return node == null ? null : node.get(type);
    }

    boolean exists(Name name) {
        return names.containsKey(name);
    }

    /** A name with no records but with descendants (RFC 4592 2.2.2): it exists, without data. */
    boolean isEmptyNonTerminal(Name name) {
        Name after = names.higherKey(name);
        return !exists(name) && after != null && after.subdomain(name);
    }

    boolean isDelegation(Name name) {
        return !name.equals(apex) && rrset(name, Type.NS) != null;
    }

    /** The NSEC RRset whose owner is the closest name at or before the given one in canonical order. */
    RRset coveringNsec(Name name) {
        Name owner = names.floorKey(name);
        if (owner == null) owner = names.lastKey();
        return rrset(owner, Type.NSEC);
    }

    /**
     * A signed NSEC (NSEC3 in an NSEC3 zone) of this zone that neither matches nor covers the
     * name: taken from another part of the zone, as an attacker replays a real denial.
     */
    RRset unrelatedDenial(Name name) {
        int type = usesNsec3() ? Type.NSEC3 : Type.NSEC;
        RRset own = usesNsec3() ? coveringNsec3(name) : coveringNsec(name);
        for (Map<Integer, RRset> node : names.values()) {
            RRset denial = node.get(type);
            if (denial != null && !denial.getName().equals(own.getName())) return denial;
        }
        throw new IllegalStateException("zone " + apex + " has a single " + Type.string(type) + ": nothing unrelated to replay");
    }

    /** The longest existing ancestor of a name that does not exist (RFC 4592 3.3.1). */
    Name closestEncloser(Name name) {
        Name n = name;
        while (n.labels() > apex.labels()) {
            n = new Name(n, 1);
            if (exists(n) || isEmptyNonTerminal(n)) return n;
        }
        return apex;
    }

    Map<Name, Map<Integer, RRset>> names() {
        return names;
    }

    /** label.name, e.g. "*" and "example.test." give "*.example.test.". */
    static Name prefixed(String label, Name name) {
        try {
            return Name.concatenate(Name.fromConstantString(label), name);
        } catch (org.xbill.DNS.NameTooLongException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
