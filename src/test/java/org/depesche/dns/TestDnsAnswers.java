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
 */
final class TestDnsAnswers {
    private static final int MAX_CNAMES = 10;
    private final TestDns dns;
    private final Message response = new Message();
    private boolean dnssec;
    private boolean tampered;
    private boolean secure = true;

    TestDnsAnswers(TestDns dns) {
        this.dns = dns;
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
            add(cname, Section.ANSWER);
            name = ((CNAMERecord) cname.first()).getTarget();
        }
        response.getHeader().setRcode(Rcode.SERVFAIL);
        return true;
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
