package org.depesche.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An in-process DNS server for tests: a DNSSEC-signed hierarchy (root, the
 * TLDs in use, the zones a test declares; ECDSA P-256 keys, NSEC or NSEC3)
 * served from one loopback port over UDP and TCP, as a recursive resolver
 * that holds every zone would serve it. The root's DS is the trust anchor
 * ({@link #trustAnchor()}); {@link #validatingResolver()} gives a production
 * resolver wired to it. Attacks (forged answers, dropped records, broken
 * signatures, signatures by another zone's key, replayed denials of other
 * names, denials signed by an unknown signer, truncation with TCP closed,
 * lame delegations, KeyTrap) can be switched on per name and type while it
 * runs, for any query, the validator's own DS and DNSKEY fetches included;
 * an attack on a CNAME applies to every chain that passes it. Every query
 * received is counted.
 *
 * <pre>{@code
 * try (TestDns dns = TestDns.builder()
 *         .signedZone("example.test").mx(10, "mx.example.test").a("mx.example.test", "127.0.0.1")
 *         .daneEe("_25._tcp.mx.example.test", serverCertificate)      // TLSA 3 1 1
 *         .unsignedZone("plain.test").mx(10, "mx.plain.test").a("mx.plain.test", "127.0.0.2")
 *         .start()) {
 *     DnsResolver r = dns.validatingResolver();                       // new empty cache each call
 *     dns.forge("example.test", Type.MX, "10 mx.attacker.test.");     // THREATS T3: bogus MX
 *     dns.dropTlsa("_25._tcp.mx.example.test");                       // THREATS T4: bogus TLSA
 *     dns.attack("mx.example.test", Type.A, TestDns.Attack.TIMEOUT);  // indeterminate
 *     dns.attack("example.test", Type.MX, TestDns.Attack.NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER);
 *     dns.attack(dns.unknownSigner("example.test", Type.MX), Type.DS, TestDns.Attack.SERVFAIL); // issue 8
 *     dns.stopAttacks();
 *     dns.queries();                                                  // ["example.test/MX", ...]
 * }
 * }</pre>
 *
 * Records go into the deepest declared zone holding their name; zone-level
 * calls (mx, nsec3, lameDelegation, keyTrap) apply to the zone declared last.
 * Signatures are valid from an hour before the builder's clock to 30 days
 * after it: a test on a {@code SettableClock} passes it to {@link Builder#clock}.
 * Not served: wildcards, DNAME, referrals (every zone answers from here).
 */
public final class TestDns implements AutoCloseable {
    /** What an attacker on the path does to the answers for one name and type. */
    public enum Attack {
        /** Answers with the forged records and no signature. */
        FORGE_UNSIGNED,
        /** Answers with the forged records signed by a key the attacker made (not in the chain of trust). */
        FORGE_SIGNED_BY_ATTACKER,
        /** NOERROR with no records and no NSEC proof (THREATS T4, a dropped TLSA RRset). */
        NODATA_WITHOUT_PROOF,
        /** NXDOMAIN with no NSEC proof. */
        NXDOMAIN_WITHOUT_PROOF,
        /** No answer at all: the client times out. */
        TIMEOUT,
        /** SERVFAIL. */
        SERVFAIL,
        /** The real records with a correctly made signature that expired yesterday. */
        EXPIRED_SIGNATURE,
        /** The real records with signature bytes flipped. */
        CORRUPT_SIGNATURE,
        /**
         * NXDOMAIN whose authority section holds the zone's SOA with an RRSIG naming a signer
         * nobody has asked for ({@link #unknownSigner}), and no NSEC: the validator must fetch
         * that signer's DS, which a second attack on it answers SERVFAIL, drops or denies.
         */
        NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER,
        /** The same as {@link #NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER} with NOERROR and no records (NODATA). */
        NODATA_SIGNED_BY_UNKNOWN_SIGNER,
        /**
         * The forged records (or, with none given, the real ones) signed correctly by the real key
         * of another zone of the hierarchy, named by {@link #forgeSignedByZone}: a sibling zone the
         * attacker runs himself, or the parent.
         */
        SIGNED_BY_OTHER_ZONE,
        /** NXDOMAIN with the zone's signed SOA and a correctly signed NSEC or NSEC3 that covers some other name. */
        NXDOMAIN_WITH_UNRELATED_DENIAL,
        /** NODATA with the zone's signed SOA and a correctly signed NSEC or NSEC3 of some other name. */
        NODATA_WITH_UNRELATED_DENIAL,
        /**
         * Over UDP an empty answer with the TC bit (RFC 2181 9), so the client retries over TCP;
         * over TCP the connection is closed without an answer.
         */
        TRUNCATED_TCP_CLOSED
    }

    /** The label of the signer {@link Attack#NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER} names under the zone's apex. */
    static final String UNKNOWN_SIGNER_LABEL = "zz9";

    private record Tamper(Attack attack, List<Record> forged, Name signingZone) { }

    private final Map<Name, TestZone> zones;
    private final Clock clock;
    private final TestDnsServer server;
    private final Map<String, Tamper> attacks = new ConcurrentHashMap<>();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resolvers = new CopyOnWriteArrayList<>();
    private final KeyPair attackerKey = newKeyPair();
    private volatile Duration latency = Duration.ZERO;
    private volatile java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(0);

    private TestDns(Map<Name, TestZone> zones, Clock clock) throws IOException {
        this.zones = zones;
        this.clock = clock;
        this.server = new TestDnsServer((q, overTcp) -> {
            logQuery(q);
            awaitRelease(held);
            sleep(latency);
            return new TestDnsAnswers(this, overTcp).answer(q);
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** UDP and TCP address of the server. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The root zone's DS record in zone file format: the trust anchor of this hierarchy. */
    public String trustAnchor() {
        return zones.get(Name.root).ds().toString() + "\n";
    }

    /** Limits that keep tests short: a silent server costs two seconds, not twenty. */
    public static DnsLimits testLimits() {
        return DnsLimits.builder().queryTimeout(Duration.ofSeconds(2)).lookupBudget(Duration.ofSeconds(8)).build();
    }

    /** The clock the signatures were made by. */
    Clock clock() {
        return clock;
    }

    /** A new validating resolver (empty cache) trusting this hierarchy's root, on the builder's clock; closed with this server. */
    public CachingDnsResolver validatingResolver() {
        return validatingResolver(testLimits(), clock);
    }

    public CachingDnsResolver validatingResolver(DnsLimits limits, Clock clock) {
        return track(DnsResolvers.validating(List.of(address()), trustAnchor(), limits, clock));
    }

    /**
     * A resolver in trust-ad mode pointed at this server, which then plays a
     * validating resolver: AD on answers from an intact signed chain, SERVFAIL
     * with extended error 6 where an attack is switched on.
     */
    public CachingDnsResolver trustAdResolver() {
        return track(DnsResolvers.trustAd(List.of(address()), testLimits(), clock));
    }

    private CachingDnsResolver track(CachingDnsResolver r) {
        resolvers.add(r);
        return r;
    }

    /** Delays every answer, to stand for the round trip to a distant server. */
    public TestDns latency(Duration delay) {
        this.latency = delay;
        return this;
    }

    /** Answers nothing until {@link #releaseAnswers()}: queries are counted and wait. */
    public TestDns holdAnswers() {
        held = new java.util.concurrent.CountDownLatch(1);
        return this;
    }

    public TestDns releaseAnswers() {
        held.countDown();
        return this;
    }

    private static void awaitRelease(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) return;
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- attacks ----

    /** Answers {@code name/type} with these records (rdata in zone file syntax), unsigned (THREATS T3). */
    public TestDns forge(String name, int type, String... rdata) {
        return tamper(name, type, Attack.FORGE_UNSIGNED, rdata);
    }

    /** Answers {@code name/type} with these records signed by a key outside the chain of trust. */
    public TestDns forgeSigned(String name, int type, String... rdata) {
        return tamper(name, type, Attack.FORGE_SIGNED_BY_ATTACKER, rdata);
    }

    /** Any attack that needs no records: NODATA_WITHOUT_PROOF, TIMEOUT, EXPIRED_SIGNATURE, ... */
    public TestDns attack(String name, int type, Attack attack) {
        return tamper(name, type, attack);
    }

    /**
     * Answers {@code name/type} with these records (rdata in zone file syntax; none: the real
     * records) signed by the real key of the zone {@code signingZone}, which must be another
     * signed zone of this hierarchy.
     */
    public TestDns forgeSignedByZone(String name, int type, String signingZone, String... rdata) {
        Name n = name(name);
        TestZone signer = zones.get(name(signingZone));
        if (signer == null || !signer.signed) throw new IllegalArgumentException("no signed zone " + signingZone);
        if (signer == zoneFor(n, type)) throw new IllegalArgumentException(signingZone + " is the zone of " + name);
        if (rdata.length == 0 && zoneFor(n, type).rrset(n, type) == null) {
            throw new IllegalArgumentException("no " + n + "/" + Type.string(type) + " to re-sign");
        }
        attacks.put(key(n, type), new Tamper(Attack.SIGNED_BY_OTHER_ZONE, records(n, type, rdata), signer.apex));
        return this;
    }

    /** The signer an {@link Attack#NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER} answer for {@code name/type} names: zz9.ZONE. */
    public String unknownSigner(String name, int type) {
        return DnsNames.text(TestZone.prefixed(UNKNOWN_SIGNER_LABEL, zoneFor(name(name), type).apex));
    }

    /** The apex of the zone that answers {@code name/type} (for DS at a cut: the parent's). */
    public String zoneOf(String name, int type) {
        return DnsNames.text(zoneFor(name(name), type).apex);
    }

    /** Resets every TCP connection from now on (true), as a middlebox that lets only UDP through; false serves TCP again. */
    public TestDns refuseTcp(boolean refused) {
        server.refuseTcp(refused);
        return this;
    }

    /** Answers TLSA queries for the name with NODATA and no proof (THREATS T4). */
    public TestDns dropTlsa(String name) {
        return attack(name, Type.TLSA, Attack.NODATA_WITHOUT_PROOF);
    }

    /** Switches every attack off and serves TCP again. */
    public TestDns stopAttacks() {
        attacks.clear();
        server.refuseTcp(false);
        return this;
    }

    private TestDns tamper(String name, int type, Attack attack, String... rdata) {
        Name n = name(name);
        if (attack == Attack.SIGNED_BY_OTHER_ZONE) throw new IllegalArgumentException("use forgeSignedByZone");
        boolean resigns = attack == Attack.EXPIRED_SIGNATURE || attack == Attack.CORRUPT_SIGNATURE;
        if (resigns && (zoneFor(n, type).rrset(n, type) == null || !zoneFor(n, type).signed)) {
            throw new IllegalArgumentException(attack + " needs a signed " + n + "/" + Type.string(type) + " to re-sign");
        }
        boolean needsSignedZone = attack == Attack.NXDOMAIN_WITH_UNRELATED_DENIAL || attack == Attack.NODATA_WITH_UNRELATED_DENIAL;
        if (needsSignedZone && !zoneFor(n, type).signed) {
            throw new IllegalArgumentException(attack + " needs a signed zone for " + n);
        }
        attacks.put(key(n, type), new Tamper(attack, records(n, type, rdata), null));
        return this;
    }

    private static List<Record> records(Name owner, int type, String... rdata) {
        List<Record> forged = new ArrayList<>();
        for (String r : rdata) forged.add(record(owner, type, r));
        return forged;
    }

    // ---- observation ----

    /** Queries received since the start or the last {@link #resetQueries()}, as "name/TYPE". */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    public int queryCount() {
        return queries.size();
    }

    public void resetQueries() {
        queries.clear();
    }

    /**
     * Writes every zone as a signed zone file ({@code root.zone}, {@code test.zone}, ...) and the
     * trust anchor as {@code trust-anchor.ds}, for an authoritative server such as NSD.
     */
    public void writeZoneFiles(Path dir) {
        try {
            Files.createDirectories(dir);
            for (TestZone z : zones.values()) {
                StringBuilder text = new StringBuilder("$ORIGIN " + z.apex + "\n");
                for (Map<Integer, RRset> node : z.names().values()) {
                    for (RRset set : node.values()) {
                        set.rrs().forEach(r -> text.append(r).append('\n'));
                        set.sigs().forEach(r -> text.append(r).append('\n'));
                    }
                }
                String file = z.apex.equals(Name.root) ? "root" : z.apex.toString(true);
                Files.writeString(dir.resolve(file + ".zone"), text);
            }
            Files.writeString(dir.resolve("trust-anchor.ds"), trustAnchor());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        releaseAnswers();
        for (AutoCloseable r : resolvers) {
            try {
                r.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        server.close();
    }

    // ---- used by TestDnsAnswers ----

    private void logQuery(org.xbill.DNS.Message query) {
        Record q = query.getQuestion();
        if (q != null) queries.add(DnsNames.text(q.getName()) + "/" + Type.string(q.getType()));
    }

    Tamper tamperFor(Name name, int type) {
        return attacks.get(key(name, type));
    }

    Attack attackOf(Tamper t) {
        return t.attack();
    }

    List<Record> forgedOf(Tamper t) {
        return t.forged();
    }

    /** The zone whose key signs a {@link Attack#SIGNED_BY_OTHER_ZONE} answer. */
    TestZone signingZoneOf(Tamper t) {
        return zones.get(t.signingZone());
    }

    /** The zone that answers: the deepest one holding the name; for DS at a cut, the parent (RFC 4035 3.1.4.1). */
    TestZone zoneFor(Name name, int type) {
        TestZone best = zones.get(Name.root);
        for (TestZone z : zones.values()) {
            if (name.subdomain(z.apex) && z.apex.labels() > best.apex.labels()
                    && !(type == Type.DS && name.equals(z.apex))) {
                best = z;
            }
        }
        return best;
    }

    /** True when every zone from the root down to this one is signed and serves its keys. */
    boolean chainIntact(TestZone zone) {
        for (TestZone z = zone; ; z = zoneFor(z.apex, Type.DS)) {
            if (!z.signed || z.lame) return false;
            if (z.apex.equals(Name.root)) return true;
        }
    }

    /** A signature over the set by a key that is not in the chain of trust. */
    RRSIGRecord attackerSignature(RRset set, Name signer) {
        try {
            DNSKEYRecord key = new DNSKEYRecord(signer, DClass.IN, TestZone.TTL, 257, 3,
                    DNSSEC.Algorithm.ECDSAP256SHA256, attackerKey.getPublic());
            Instant now = clock.instant();
            return TestZone.signature(set, key, attackerKey, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        } catch (DNSSEC.DNSSECException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String key(Name name, int type) {
        return name.toString().toLowerCase(java.util.Locale.ROOT) + "/" + type;
    }

    static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Record record(Name owner, int type, String rdata) {
        try {
            return Record.fromString(owner, type, DClass.IN, TestZone.TTL, rdata, Name.root);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad " + Type.string(type) + " rdata \"" + rdata + "\": " + e.getMessage());
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Declares zones and records; names are absolute, with or without the final dot. */
    public static final class Builder {
        private final Map<Name, TestZone> zones = new LinkedHashMap<>();
        private final List<Record> records = new ArrayList<>();
        private TestZone current;
        private Clock clock = Clock.systemUTC();

        private Builder() { }

        /**
         * The time the signatures are made at (valid from an hour before to 30 days after) and the
         * clock of the resolvers this server hands out; give the test's clock when it is not now.
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Starts a signed zone; later zone-level calls (mx, lameDelegation, keyTrap) apply to it. */
        public Builder signedZone(String apex) {
            return zone(apex, true);
        }

        public Builder unsignedZone(String apex) {
            return zone(apex, false);
        }

        private Builder zone(String apex, boolean signed) {
            Name n = name(apex);
            if (zones.containsKey(n)) throw new IllegalArgumentException("zone " + n + " declared twice");
            current = new TestZone(n, signed);
            zones.put(n, current);
            return this;
        }

        /** MX at the apex of the current zone; {@code mx(0, ".")} is a null MX (RFC 7505). */
        public Builder mx(int preference, String host) {
            return record(apex(), Type.MX, preference + " " + absolute(host));
        }

        public Builder a(String name, String ip) {
            return record(name, Type.A, ip);
        }

        public Builder aaaa(String name, String ip) {
            return record(name, Type.AAAA, ip);
        }

        public Builder cname(String name, String target) {
            return record(name, Type.CNAME, absolute(target));
        }

        public Builder txt(String name, String text) {
            return record(name, Type.TXT, "\"" + text + "\"");
        }

        /** TLSA record (RFC 6698 2.1): usage, selector, matching type and the data to match. */
        public Builder tlsa(String name, int usage, int selector, int matchingType, byte[] data) {
            records.add(new TLSARecord(name(name), DClass.IN, TestZone.TTL, usage, selector, matchingType, data));
            return this;
        }

        /** DANE-EE: TLSA 3 1 1, the SHA-256 of the certificate's public key (RFC 7671 5.1, RFC 7672 3.1.1). */
        public Builder daneEe(String name, java.security.cert.X509Certificate cert) {
            return tlsa(name, 3, 1, 1, sha256(cert.getPublicKey().getEncoded()));
        }

        /** DANE-TA: TLSA 2 0 1, the SHA-256 of the whole trust anchor certificate (RFC 7671 5.2, RFC 7672 3.1.2). */
        public Builder daneTa(String name, java.security.cert.X509Certificate ca) {
            try {
                return tlsa(name, 2, 0, 1, sha256(ca.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalArgumentException(e);
            }
        }

        private static byte[] sha256(byte[] data) {
            try {
                return java.security.MessageDigest.getInstance("SHA-256").digest(data);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Any record, rdata in zone file syntax; it goes into the deepest zone holding the name. */
        public Builder record(String name, int type, String rdata) {
            records.add(TestDns.record(name(name), type, rdata));
            return this;
        }

        /**
         * The current zone denies existence with NSEC3 (RFC 5155), SHA-1, no salt and this many
         * extra iterations (RFC 9276 3.1 asks for 0; validators may treat more than 150 as insecure).
         */
        public Builder nsec3(int iterations) {
            zone().nsec3Iterations = iterations;
            return this;
        }

        /** The current zone's NSEC3 chain (see {@link #nsec3}) has the opt-out flag: unsigned children get no NSEC3 record. */
        public Builder nsec3OptOut() {
            zone().optOut = true;
            return this;
        }

        /** The parent publishes for the current zone only a DS of this digest type, with digest bytes that match nothing. */
        public Builder dsDigestType(int digestType) {
            zone().foreignDsDigest = digestType;
            return this;
        }

        /** The current zone is lame: its DS is in the parent but its DNSKEY RRset is not served. */
        public Builder lameDelegation() {
            zone().lame = true;
            return this;
        }

        /**
         * KeyTrap (CVE-2023-50387) in the current zone: the DNSKEY RRset gets this many extra keys
         * with the zone key's tag, and every RRset this many extra RRSIGs with that tag that do not verify.
         */
        public Builder keyTrap(int collidingKeys, int badSignatures) {
            zone().trapKeys = collidingKeys;
            zone().trapSigs = badSignatures;
            return this;
        }

        public TestDns start() {
            Map<Name, TestZone> all = new LinkedHashMap<>();
            all.put(Name.root, zones.getOrDefault(Name.root, new TestZone(Name.root, true)));
            for (Name apex : zones.keySet()) {
                if (apex.labels() > 2) {
                    Name tld = new Name(apex, apex.labels() - 2);
                    all.putIfAbsent(tld, zones.getOrDefault(tld, new TestZone(tld, true)));
                }
            }
            all.putAll(zones);
            try {
                TestDns dns = new TestDns(Collections.unmodifiableMap(all), clock);
                for (Record r : records) dns.zoneFor(r.getName(), r.getType() == Type.DS ? 0 : r.getType()).add(r);
                for (TestZone z : all.values()) {
                    if (!z.apex.equals(Name.root)) dns.zoneFor(z.apex, Type.DS).delegate(z);
                }
                Instant now = clock.instant();
                all.values().forEach(z -> z.seal(now));
                return dns;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private TestZone zone() {
            if (current == null) throw new IllegalStateException("declare a zone first");
            return current;
        }

        private String apex() {
            return zone().apex.toString();
        }

        private static String absolute(String host) {
            return host.endsWith(".") ? host : host + ".";
        }
    }
}
