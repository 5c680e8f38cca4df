package org.depesche.dns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A lookup result with the time it may be cached, read from a response
 * message whose status has already been decided.
 */
record Answer(DnsResult result, Duration ttl) {
    private static final int MAX_CNAMES = 16;

    /** A failure: bogus ones are cached briefly (RFC 4035 4.7), indeterminate ones not at all. */
    static Answer failed(Name qname, int type, DnssecStatus status, String reason, DnsLimits limits) {
        DnsResult result = DnsResult.failed(DnsNames.text(qname), type, status, reason);
        return new Answer(result, status == DnssecStatus.BOGUS ? limits.cache().bogusTtl() : Duration.ZERO);
    }

    /** An answer from proven unsigned space, which remembers where that space begins. */
    static Answer unsigned(Name qname, int type, Message m, InsecurityProof.Proven proof, DnsLimits limits) {
        Answer a = read(qname, type, m, DnssecStatus.INSECURE, proof.how(), limits);
        return new Answer(a.result().withUnsignedCut(DnsNames.text(proof.cut())), a.ttl());
    }

    /** Follows the CNAME chain from qname through the answer section (RFC 1034 3.6.2). */
    static Answer read(Name qname, int type, Message m, DnssecStatus status, String reason, DnsLimits limits) {
        String q = DnsNames.text(qname);
        int rcode = m.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return failed(qname, type, status, reason.isEmpty() ? "server answered " + Rcode.string(rcode) : reason,
                    limits);
        }
        List<Record> answers = m.getSection(Section.ANSWER);
        List<DnsResult.CnameLink> chain = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        Name current = qname;
        for (CNAMERecord cname : cnameChain(qname, type, m)) {
            chain.add(new DnsResult.CnameLink(DnsNames.text(current), DnsNames.text(cname.getTarget()), status));
            ttl = Math.min(ttl, cname.getTTL());
            current = cname.getTarget();
        }
        List<Record> records = new ArrayList<>();
        for (Record r : answers) {
            if (r.getType() == type && r.getName().equals(current)) {
                records.add(r);
                ttl = Math.min(ttl, r.getTTL());
            }
        }
        DnsResult.Outcome outcome = !records.isEmpty() ? DnsResult.Outcome.FOUND
                : rcode == Rcode.NXDOMAIN ? DnsResult.Outcome.NXDOMAIN : DnsResult.Outcome.NODATA;
        if (outcome != DnsResult.Outcome.FOUND) {
            ttl = Math.min(ttl, negativeTtl(m, limits));
        }
        if (status == DnssecStatus.BOGUS) {
            ttl = Math.min(ttl, limits.cache().bogusTtl().toSeconds());
        }
        DnsResult result = new DnsResult(q, type, outcome, records, chain, status, reason);
        return new Answer(result, clamp(ttl, limits));
    }

    /** The CNAME records followed from qname through the answer section, in order (RFC 1034 3.6.2). */
    static List<CNAMERecord> cnameChain(Name qname, int type, Message m) {
        List<Record> answers = m.getSection(Section.ANSWER);
        List<CNAMERecord> chain = new ArrayList<>();
        Name current = qname;
        for (int i = 0; i < MAX_CNAMES && type != Type.CNAME; i++) {
            CNAMERecord cname = cnameAt(answers, current);
            if (cname == null) break;
            chain.add(cname);
            current = cname.getTarget();
        }
        return chain;
    }

    private static CNAMERecord cnameAt(List<Record> answers, Name owner) {
        for (Record r : answers) {
            if (r instanceof CNAMERecord c && c.getName().equals(owner)) return c;
        }
        return null;
    }

    /** RFC 2308 5: the negative TTL is the smaller of the SOA's TTL and its MINIMUM field. */
    private static long negativeTtl(Message m, DnsLimits limits) {
        for (Record r : m.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) return Math.min(soa.getTTL(), soa.getMinimum());
        }
        return limits.cache().negativeTtl().toSeconds();
    }

    private static Duration clamp(long seconds, DnsLimits limits) {
        long s = Math.max(limits.cache().minTtl().toSeconds(), Math.min(limits.cache().maxTtl().toSeconds(), seconds));
        return Duration.ofSeconds(s);
    }

    /** The extended DNS error of a response (RFC 8914), or null. */
    static org.xbill.DNS.ExtendedErrorCodeOption ede(Message m) {
        org.xbill.DNS.OPTRecord opt = m.getOPT();
        if (opt == null) return null;
        for (org.xbill.DNS.EDNSOption o : opt.getOptions()) {
            if (o instanceof org.xbill.DNS.ExtendedErrorCodeOption e) return e;
        }
        return null;
    }

    /**
     * Why a validation failed, for a person: the name, the extended error's
     * category (RFC 8914 4) and the validator's words with RRset dumps shortened.
     */
    static String bogusReason(Name name, int type, Message m) {
        String detail = validatorReason(m)
                .replaceAll("\\{ (\\S+) \\d+ \\S+ (\\S+) .*}", "$1 $2")
                .replaceAll("\\.+$", "");
        org.xbill.DNS.ExtendedErrorCodeOption e = ede(m);
        String category = e == null ? "" : edeText(e.getErrorCode()) + ": ";
        return "DNSSEC validation of " + DnsNames.text(name) + "/" + Type.string(type) + " failed: " + category
                + (detail.isEmpty() ? "no reason given" : detail);
    }

    /** "RRSIGS_MISSING" as "RRSIGS missing". */
    static String edeText(int code) {
        String words = org.xbill.DNS.ExtendedErrorCodeOption.text(code).replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
        return java.util.regex.Pattern.compile("\\b(dnssec|rrsigs|nsec3?|dnskey|ds)\\b").matcher(words)
                .replaceAll(r -> r.group().toUpperCase(java.util.Locale.ROOT));
    }

    /** The validator's reason, which it puts in a TXT record of a private class in the additional section. */
    static String validatorReason(Message m) {
        for (Record r : m.getSection(Section.ADDITIONAL)) {
            if (r.getType() == Type.TXT
                    && r.getDClass() == org.xbill.DNS.dnssec.ValidatingResolver.VALIDATION_REASON_QCLASS) {
                return String.join("", ((org.xbill.DNS.TXTRecord) r).getStrings());
            }
        }
        return "";
    }
}
