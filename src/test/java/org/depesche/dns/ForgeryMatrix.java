package org.depesche.dns;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.xbill.DNS.Type;

/**
 * The attack matrix of issue 8, shared by the resolver-level test
 * ({@code ForgedDenialMatrixTest}) and the end-to-end one
 * ({@code ForgedDnsDeliveryMatrixTest}): the queries a delivery to
 * example.org makes ({@link Target}) times what an on-path attacker between
 * the validator and the signed hierarchy answers to one of them
 * ({@link Forgery}). The attacker runs a signed zone of his own,
 * attacker.org, a sibling of example.org under org, whose host
 * mx.attacker.org publishes TLSA for the attacker's certificate: every
 * forged record points at him (a forged MX or CNAME names his host, a
 * forged TLSA his key), so a forgery that passes for valid ends in his hands.
 */
public final class ForgeryMatrix implements AutoCloseable {
    public static final String DOMAIN = "example.org";
    public static final String MX_HOST = "mx.example.org";
    /** In the aliased hierarchy the MX host is a CNAME to this name (RFC 7672 2.2.3). */
    public static final String CNAME_TARGET = "host.example.org";
    public static final String ATTACKER_ZONE = "attacker.org";
    public static final String ATTACKER_HOST = "mx.attacker.org";
    /**
     * The MX host's IPv6 address: IPv4-mapped, so that a connection to it reaches the loopback
     * servers on 127.0.0.1 (Java reads it as that IPv4 address). Either address family then
     * leads to the man in the middle, as on a real path, and an attack that leaves only one of
     * the two lookups standing cannot pass for a connection failure.
     */
    public static final String HOST_IPV6 = "::ffff:127.0.0.1";

    /** How the destination zone is built: the MX host itself, or a CNAME to another name; NSEC or NSEC3 denial. */
    public enum Shape {
        DIRECT_NSEC(false, false), ALIASED_NSEC(true, false), DIRECT_NSEC3(false, true), ALIASED_NSEC3(true, true);

        final boolean aliased;
        final boolean nsec3;

        @Override
        public String toString() {
            return (aliased ? "CNAME'd MX host, " : "") + (nsec3 ? "NSEC3" : "NSEC");
        }

        Shape(boolean aliased, boolean nsec3) {
            this.aliased = aliased;
            this.nsec3 = nsec3;
        }

        static Shape of(boolean aliased, boolean nsec3) {
            return aliased ? (nsec3 ? ALIASED_NSEC3 : ALIASED_NSEC) : (nsec3 ? DIRECT_NSEC3 : DIRECT_NSEC);
        }
    }

    /** One query of a delivery, which the attacker answers. */
    public enum Target {
        MX("MX of " + DOMAIN, false),
        A("A of the MX host", false),
        AAAA("AAAA of the MX host", false),
        TLSA("TLSA of the MX host", false),
        CNAME("CNAME of the MX host", true),
        CNAME_TARGET_A("A of the CNAME target", true),
        CNAME_TARGET_TLSA("TLSA of the CNAME target", true);

        private final String words;
        public final boolean aliased;

        Target(String words, boolean aliased) {
            this.words = words;
            this.aliased = aliased;
        }

        /** The name attacked. */
        public String name(int port) {
            return switch (this) {
                case MX -> DOMAIN;
                case A, AAAA, CNAME -> MX_HOST;
                case TLSA -> tlsaName(port, MX_HOST);
                case CNAME_TARGET_A -> CNAME_TARGET;
                case CNAME_TARGET_TLSA -> tlsaName(port, CNAME_TARGET);
            };
        }

        /** The type attacked. */
        public int type() {
            return switch (this) {
                case MX -> Type.MX;
                case A, CNAME_TARGET_A -> Type.A;
                case AAAA -> Type.AAAA;
                case TLSA, CNAME_TARGET_TLSA -> Type.TLSA;
                case CNAME -> Type.CNAME;
            };
        }

        /**
         * The lookup a delivery makes whose answer passes through the attacked one: through the
         * CNAME for the aliased targets, as {@code HostFacts} asks (RFC 7672 2.2.3).
         */
        public DnsResult lookedUp(DnsResolver r, int port) {
            return switch (this) {
                case MX -> r.mx(DOMAIN);
                case A, CNAME, CNAME_TARGET_A -> r.lookup(MX_HOST, Type.A);
                case AAAA -> r.lookup(MX_HOST, Type.AAAA);
                case TLSA -> r.tlsa(port, MX_HOST);
                case CNAME_TARGET_TLSA -> r.tlsa(port, CNAME_TARGET);
            };
        }

        /** What the attacker puts in place of the real records: always something of his. */
        String forgedRdata(ForgeryMatrix m) {
            return switch (this) {
                case MX -> "10 " + ATTACKER_HOST + ".";
                case A, CNAME_TARGET_A -> "127.0.0.1"; // the MitM sits on the path to the real address
                case AAAA -> HOST_IPV6;
                case TLSA, CNAME_TARGET_TLSA -> "3 1 1 " + m.attackerSpki;
                case CNAME -> ATTACKER_HOST + ".";
            };
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /** What the attacker answers to the one query. */
    public enum Forgery {
        UNSIGNED_NXDOMAIN("unsigned NXDOMAIN"),
        UNSIGNED_NODATA("unsigned NODATA"),
        UNSIGNED_ANSWER("unsigned forged answer"),
        // The control for the six below: the validator's DS query for the unknown signer gets the honest
        // signed denial, so the junk signature is checked against the zone's key and fails.
        NXDOMAIN_UNKNOWN_SIGNER_DS_HONEST("NXDOMAIN, SOA signed by unknown zz9, its DS answered honestly"),
        NXDOMAIN_UNKNOWN_SIGNER_DS_SERVFAIL("NXDOMAIN, SOA signed by unknown zz9, its DS SERVFAIL"),
        NXDOMAIN_UNKNOWN_SIGNER_DS_DROPPED("NXDOMAIN, SOA signed by unknown zz9, its DS dropped"),
        NXDOMAIN_UNKNOWN_SIGNER_DS_NXDOMAIN("NXDOMAIN, SOA signed by unknown zz9, its DS unsigned NXDOMAIN"),
        NODATA_UNKNOWN_SIGNER_DS_HONEST("NODATA, SOA signed by unknown zz9, its DS answered honestly"),
        NODATA_UNKNOWN_SIGNER_DS_SERVFAIL("NODATA, SOA signed by unknown zz9, its DS SERVFAIL"),
        NODATA_UNKNOWN_SIGNER_DS_DROPPED("NODATA, SOA signed by unknown zz9, its DS dropped"),
        NODATA_UNKNOWN_SIGNER_DS_NXDOMAIN("NODATA, SOA signed by unknown zz9, its DS unsigned NXDOMAIN"),
        EXPIRED_SIGNATURE("real records, signature expired"),
        SIGNED_BY_SIBLING_ZONE_KEY("forged answer signed by the attacker's own zone key (sibling)"),
        // Not a cell: an answer signed with the parent zone's real key (signer "org" over example.org data).
        // dnsjava accepts it, though RFC 4035 5.3.1 wants the signer to be the zone that holds the RRset;
        // but only the parent's operator has that key, and he can replace example.org's DS and keys as
        // well: it is not an attack of someone on the path, who is what this matrix is about.
        NXDOMAIN_WITH_UNRELATED_DENIAL("NXDOMAIN with a signed denial of another name"),
        NODATA_WITH_UNRELATED_DENIAL("NODATA with a signed denial of another name"),
        TRUNCATED_TCP_CLOSED("truncated over UDP, TCP closed"),
        TRUNCATED_TCP_REFUSED("truncated over UDP, TCP refused");

        private final String words;

        Forgery(String words) {
            this.words = words;
        }

        /** True for the forgeries that drop a query, so that a lookup costs the query timeout. */
        public boolean dropsAQuery() {
            return this == NXDOMAIN_UNKNOWN_SIGNER_DS_DROPPED || this == NODATA_UNKNOWN_SIGNER_DS_DROPPED;
        }

        /** True for the forgeries whose replayed proof differs between NSEC and NSEC3 zones. */
        public boolean replaysDenial() {
            return this == NXDOMAIN_WITH_UNRELATED_DENIAL || this == NODATA_WITH_UNRELATED_DENIAL;
        }

        /** Switches this forgery on for the target's query (and, for the unknown signer, its DS query). */
        void apply(ForgeryMatrix m, TestDns dns, Target target) {
            String name = target.name(m.port);
            int type = target.type();
            String forged = target.forgedRdata(m);
            switch (this) {
                case UNSIGNED_NXDOMAIN -> dns.attack(name, type, TestDns.Attack.NXDOMAIN_WITHOUT_PROOF);
                case UNSIGNED_NODATA -> dns.attack(name, type, TestDns.Attack.NODATA_WITHOUT_PROOF);
                case UNSIGNED_ANSWER -> dns.forge(name, type, forged);
                case NXDOMAIN_UNKNOWN_SIGNER_DS_HONEST -> dns.attack(name, type, TestDns.Attack.NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER);
                case NXDOMAIN_UNKNOWN_SIGNER_DS_SERVFAIL -> unknownSigner(dns, name, type, true, TestDns.Attack.SERVFAIL);
                case NXDOMAIN_UNKNOWN_SIGNER_DS_DROPPED -> unknownSigner(dns, name, type, true, TestDns.Attack.TIMEOUT);
                case NXDOMAIN_UNKNOWN_SIGNER_DS_NXDOMAIN ->
                        unknownSigner(dns, name, type, true, TestDns.Attack.NXDOMAIN_WITHOUT_PROOF);
                case NODATA_UNKNOWN_SIGNER_DS_HONEST -> dns.attack(name, type, TestDns.Attack.NODATA_SIGNED_BY_UNKNOWN_SIGNER);
                case NODATA_UNKNOWN_SIGNER_DS_SERVFAIL -> unknownSigner(dns, name, type, false, TestDns.Attack.SERVFAIL);
                case NODATA_UNKNOWN_SIGNER_DS_DROPPED -> unknownSigner(dns, name, type, false, TestDns.Attack.TIMEOUT);
                case NODATA_UNKNOWN_SIGNER_DS_NXDOMAIN ->
                        unknownSigner(dns, name, type, false, TestDns.Attack.NXDOMAIN_WITHOUT_PROOF);
                case EXPIRED_SIGNATURE -> dns.attack(name, type, TestDns.Attack.EXPIRED_SIGNATURE);
                case SIGNED_BY_SIBLING_ZONE_KEY -> dns.forgeSignedByZone(name, type, ATTACKER_ZONE, forged);
                case NXDOMAIN_WITH_UNRELATED_DENIAL -> dns.attack(name, type, TestDns.Attack.NXDOMAIN_WITH_UNRELATED_DENIAL);
                case NODATA_WITH_UNRELATED_DENIAL -> dns.attack(name, type, TestDns.Attack.NODATA_WITH_UNRELATED_DENIAL);
                case TRUNCATED_TCP_CLOSED -> dns.attack(name, type, TestDns.Attack.TRUNCATED_TCP_CLOSED);
                case TRUNCATED_TCP_REFUSED -> {
                    dns.attack(name, type, TestDns.Attack.TRUNCATED_TCP_CLOSED);
                    dns.refuseTcp(true);
                }
            }
        }

        private static void unknownSigner(TestDns dns, String name, int type, boolean nxdomain, TestDns.Attack onDs) {
            dns.attack(name, type, nxdomain ? TestDns.Attack.NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER
                    : TestDns.Attack.NODATA_SIGNED_BY_UNKNOWN_SIGNER);
            dns.attack(dns.unknownSigner(name, type), Type.DS, onDs);
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /** One cell: a forgery of one target's answer in a zone of one shape. */
    public record Cell(Target target, Forgery forgery, Shape shape) {
        @Override
        public String toString() {
            return forgery + " for " + target + (shape.nsec3 ? " (NSEC3 zone)" : "");
        }
    }

    /**
     * Every cell: each target with each forgery in NSEC zones, and the forgeries that replay a
     * denial once more in NSEC3 zones (the others carry no NSEC or NSEC3, so the zone's kind of
     * denial cannot change their outcome).
     */
    public static Stream<Cell> cells() {
        List<Cell> all = new ArrayList<>();
        for (Target t : Target.values()) {
            for (Forgery f : Forgery.values()) all.add(new Cell(t, f, Shape.of(t.aliased, false)));
        }
        for (Target t : Target.values()) {
            for (Forgery f : Forgery.values()) {
                if (f.replaysDenial()) all.add(new Cell(t, f, Shape.of(t.aliased, true)));
            }
        }
        return all.stream();
    }

    private final int port;
    private final X509Certificate serverCertificate;
    private final String attackerSpki;
    private final X509Certificate attackerCertificate;
    private final Map<Shape, TestDns> hierarchies = new ConcurrentHashMap<>();

    /**
     * {@code port}: the SMTP port the TLSA records are published for; {@code server}: the real
     * MX's certificate (TLSA 3 1 1 of example.org); {@code attacker}: the MitM's certificate.
     */
    public ForgeryMatrix(int port, X509Certificate server, X509Certificate attacker) {
        this.port = port;
        this.serverCertificate = server;
        this.attackerCertificate = attacker;
        this.attackerSpki = java.util.HexFormat.of().formatHex(sha256(attacker.getPublicKey().getEncoded()));
    }

    public int port() {
        return port;
    }

    /** The hierarchy of one shape, with every attack switched off; started on first use and kept. */
    public TestDns dns(Shape shape) {
        TestDns dns = hierarchies.computeIfAbsent(shape, this::start);
        dns.stopAttacks();
        return dns;
    }

    /** The hierarchy for a cell with the cell's forgery switched on. */
    public TestDns attacked(Cell cell) {
        TestDns dns = dns(cell.shape());
        cell.forgery().apply(this, dns, cell.target());
        return dns;
    }

    private TestDns start(Shape shape) {
        String host = shape.aliased ? CNAME_TARGET : MX_HOST;
        TestDns.Builder b = TestDns.builder().signedZone(DOMAIN);
        if (shape.nsec3) b.nsec3(0);
        b.mx(10, MX_HOST);
        if (shape.aliased) b.cname(MX_HOST, CNAME_TARGET);
        b.a(host, "127.0.0.1").aaaa(host, HOST_IPV6).daneEe(tlsaName(port, host), serverCertificate)
                .signedZone(ATTACKER_ZONE).a(ATTACKER_HOST, "127.0.0.1").daneEe(tlsaName(port, ATTACKER_HOST), attackerCertificate);
        return b.start();
    }

    public static String tlsaName(int port, String host) {
        return "_" + port + "._tcp." + host;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hierarchies.values().forEach(TestDns::close);
    }
}
