package org.depesche.dns;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Builds the answer to one query as a recursive resolver holding every zone
 * would: CNAMEs followed across zones (RFC 1034 4.3.2), RRSIGs when DO is
 * set (RFC 4035 3.1.1), signed NODATA and NXDOMAIN proofs with NSEC
 * (RFC 4035 3.1.3). Without CD it behaves as a validating resolver: AD on
 * an intact signed chain, SERVFAIL where an attack tampers (RFC 4035 3.2.2).
 * An attack on a CNAME applies to every query whose chain passes it.
 */
final class TestDnsAnswers {
    private static final int MAX_CNAMES = 10;
    private final TestDns dns;
    private final boolean overTcp;
    private final Message response = new Message();
    private boolean dnssec;
    private boolean tampered;
    private boolean truncated;
    private boolean secure = true;

    TestDnsAnswers(TestDns dns, boolean overTcp) {
        this.dns = dns;
        this.overTcp = overTcp;
    }

    /** The response, or null for silence. */
    Message answer(Message query) {
        Record question = query.getQuestion();
        Header h = response.getHeader();
        h.setID(query.getHeader().getID());
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) h.setFlag(Flags.RD);
        if (question == null) {
            h.setRcode(Rcode.FORMERR);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        OPTRecord opt = query.getOPT();
        dnssec = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
        if (!resolve(question.getName(), question.getType())) return null;
        if (truncated) return overTcp ? null : truncatedAnswer(query);
        boolean checkingDisabled = query.getHeader().getFlag(Flags.CD);
        if (!checkingDisabled && tampered) {
            return servfail(query, opt);
        }
        if (!checkingDisabled && secure && (dnssec || query.getHeader().getFlag(Flags.AD))) h.setFlag(Flags.AD);
        if (opt != null) response.addRecord(new OPTRecord(1232, 0, 0, dnssec ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        return response;
    }

    /** Fills the response; false means no answer should be sent. */
    private boolean resolve(Name qname, int qtype) {
        Name name = qname;
        for (int hop = 0; hop < MAX_CNAMES; hop++) {
            TestZone zone = dns.zoneFor(name, qtype);
            secure &= dns.chainIntact(zone);
            TestDns.Attack attack = attack(name, qtype, zone);
            if (attack != null) return attack != TestDns.Attack.TIMEOUT;
            RRset data = zone.rrset(name, qtype);
            if (data != null) {
                add(data, Section.ANSWER);
                return true;
            }
            RRset cname = qtype == Type.CNAME ? null : zone.rrset(name, Type.CNAME);
            if (cname == null) {
                deny(zone, name);
                return true;
            }
            TestDns.Attack onLink = attack(name, Type.CNAME, zone);
            if (onLink == null) {
                add(cname, Section.ANSWER);
            } else if (!answersWithRecords(onLink)) {
                return onLink != TestDns.Attack.TIMEOUT;
            }
            name = lastCnameTarget();
            if (name == null) return true; // a forged CNAME RRset with no record in it ends the chain
        }
        response.getHeader().setRcode(Rcode.SERVFAIL);
        return true;
    }

    /** An attack that answers with (forged or re-signed) records, after which a CNAME chain goes on. */
    private static boolean answersWithRecords(TestDns.Attack a) {
        return switch (a) {
            case FORGE_UNSIGNED, FORGE_SIGNED_BY_ATTACKER, SIGNED_BY_OTHER_ZONE, EXPIRED_SIGNATURE, CORRUPT_SIGNATURE -> true;
            default -> false;
        };
    }

    private Name lastCnameTarget() {
        Name target = null;
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r instanceof CNAMERecord c) target = c.getTarget();
        }
        return target;
    }

    /** NODATA (RFC 4035 3.1.3.1, 3.1.3.2) or NXDOMAIN (3.1.3.2) with their NSEC proofs. */
    private void deny(TestZone zone, Name name) {
        add(zone.rrset(zone.apex, Type.SOA), Section.AUTHORITY);
        if (zone.usesNsec3()) {
            denyWithNsec3(zone, name);
        } else if (zone.exists(name)) {
            add(zone.rrset(name, Type.NSEC), Section.AUTHORITY);
        } else if (zone.isEmptyNonTerminal(name)) {
            add(zone.coveringNsec(name), Section.AUTHORITY);
        } else {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            RRset covering = zone.coveringNsec(name);
            add(covering, Section.AUTHORITY);
            Name wildcard = TestZone.prefixed("*", zone.closestEncloser(name));
            RRset noWildcard = zone.coveringNsec(wildcard);
            if (noWildcard != covering) add(noWildcard, Section.AUTHORITY);
        }
    }

    /**
     * NODATA: the NSEC3 matching the name (RFC 5155 7.2.3, 7.2.4). NXDOMAIN:
     * the closest encloser proof, the next closer name covered, and the
     * wildcard at the closest encloser covered (RFC 5155 7.2.2).
     */
    private void denyWithNsec3(TestZone zone, Name name) {
        if (zone.exists(name) || zone.isEmptyNonTerminal(name)) {
            RRset match = zone.matchingNsec3(name);
            if (match != null || !zone.optOut) {
                add(match, Section.AUTHORITY);
                return;
            }
            // RFC 5155 7.2.4: an unsigned delegation in an opt-out span: closest encloser proof, next closer covered
            Name encloser = zone.closestEncloser(name);
            Name nextCloser = new Name(name, name.labels() - encloser.labels() - 1);
            add(zone.matchingNsec3(encloser), Section.AUTHORITY);
            add(zone.coveringNsec3(nextCloser), Section.AUTHORITY);
            return;
        }
        response.getHeader().setRcode(Rcode.NXDOMAIN);
        Name encloser = zone.closestEncloser(name);
        Name nextCloser = new Name(name, name.labels() - encloser.labels() - 1);
        java.util.Set<RRset> proof = new java.util.LinkedHashSet<>();
        proof.add(zone.matchingNsec3(encloser));
        proof.add(zone.coveringNsec3(nextCloser));
        proof.add(zone.coveringNsec3(TestZone.prefixed("*", encloser)));
        proof.forEach(set -> add(set, Section.AUTHORITY));
    }

    /** Applies a switched-on attack; returns null when there is none for this name and type. */
    private TestDns.Attack attack(Name name, int qtype, TestZone zone) {
        var tamper = dns.tamperFor(name, qtype);
        if (tamper == null) return null;
        tampered = true;
        TestDns.Attack attack = dns.attackOf(tamper);
        RRset real = zone.rrset(name, qtype);
        switch (attack) {
            case FORGE_UNSIGNED -> dns.forgedOf(tamper).forEach(r -> response.addRecord(r, Section.ANSWER));
            case FORGE_SIGNED_BY_ATTACKER -> {
                RRset forged = new RRset();
                dns.forgedOf(tamper).forEach(forged::addRR);
                forged.addRR(dns.attackerSignature(forged, zone.apex));
                add(forged, Section.ANSWER);
            }
            case NODATA_WITHOUT_PROOF -> add(zone.rrset(zone.apex, Type.SOA), Section.AUTHORITY);
            case NXDOMAIN_WITHOUT_PROOF -> {
                response.getHeader().setRcode(Rcode.NXDOMAIN);
                add(zone.rrset(zone.apex, Type.SOA), Section.AUTHORITY);
            }
            case SIGNED_BY_OTHER_ZONE -> {
                RRset set = new RRset();
                List<Record> forged = dns.forgedOf(tamper);
                (forged.isEmpty() ? real.rrs() : forged).forEach(set::addRR);
                Instant now = dns.clock().instant();
                set.addRR(dns.signingZoneOf(tamper).signature(set, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1))));
                add(set, Section.ANSWER);
            }
            case NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER, NODATA_SIGNED_BY_UNKNOWN_SIGNER -> {
                if (attack == TestDns.Attack.NXDOMAIN_SIGNED_BY_UNKNOWN_SIGNER) response.getHeader().setRcode(Rcode.NXDOMAIN);
                RRset soa = new RRset(zone.rrset(zone.apex, Type.SOA).first());
                soa.addRR(dns.attackerSignature(soa, TestZone.prefixed(TestDns.UNKNOWN_SIGNER_LABEL, zone.apex)));
                add(soa, Section.AUTHORITY);
            }
            case NXDOMAIN_WITH_UNRELATED_DENIAL, NODATA_WITH_UNRELATED_DENIAL -> {
                if (attack == TestDns.Attack.NXDOMAIN_WITH_UNRELATED_DENIAL) response.getHeader().setRcode(Rcode.NXDOMAIN);
                add(zone.rrset(zone.apex, Type.SOA), Section.AUTHORITY);
                add(zone.unrelatedDenial(name), Section.AUTHORITY);
            }
            case TRUNCATED_TCP_CLOSED -> truncated = true;
            case SERVFAIL -> response.getHeader().setRcode(Rcode.SERVFAIL);
            case TIMEOUT -> { }
            case EXPIRED_SIGNATURE, CORRUPT_SIGNATURE -> {
                if (real == null) throw new IllegalStateException("no " + name + "/" + Type.string(qtype) + " to re-sign");
                real.rrs().forEach(r -> response.addRecord(r, Section.ANSWER));
                Instant now = dns.clock().instant();
                RRSIGRecord sig = attack == TestDns.Attack.EXPIRED_SIGNATURE
                        ? zone.signature(real, now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)))
                        : TestZone.garbled(real.sigs().getFirst(), 0);
                if (dnssec) response.addRecord(sig, Section.ANSWER);
            }
        }
        return attack;
    }

    private void add(RRset set, int section) {
        if (set == null) return;
        set.rrs().forEach(r -> response.addRecord(r, section));
        if (dnssec) set.sigs().forEach(r -> response.addRecord(r, section));
    }

    /** A UDP answer cut short (RFC 2181 9): the TC bit and the question, nothing else. */
    private static Message truncatedAnswer(Message query) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        m.getHeader().setFlag(Flags.TC);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        return m;
    }

    /** What a validating resolver answers for data that fails validation (RFC 8914 4.7: code 6). */
    private Message servfail(Message query, OPTRecord opt) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        m.getHeader().setRcode(Rcode.SERVFAIL);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        if (opt != null) {
            m.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ExtendedErrorCodeOption(
                    ExtendedErrorCodeOption.DNSSEC_BOGUS, "test server: attack switched on"))), Section.ADDITIONAL);
        }
        return m;
    }
}
