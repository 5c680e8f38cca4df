package org.depesche.dns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.depesche.dane.TlsaRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/**
 * The answer to one lookup with its DNSSEC status.
 *
 * @param qname      the name asked for, absolute, without the trailing dot
 * @param type       the type asked for ({@link Type} constants)
 * @param outcome    what the DNS said
 * @param records    the answer RRset of the asked type, at the end of the CNAME chain
 * @param cnameChain the CNAME links followed from qname, in order, each with its own status
 * @param status     the status of the whole answer: secure only if every link is (RFC 7672 2.2.3)
 * @param reason     human readable explanation of a status other than secure, or of a failure; "" otherwise
 * @param unsignedCut for an insecure answer whose insecurity was proven, the unsigned delegation it
 *                    lies under ("" for the root: no trust anchor covers it); "" otherwise
 */
public record DnsResult(String qname, int type, Outcome outcome, List<Record> records,
                        List<CnameLink> cnameChain, DnssecStatus status, String reason, String unsignedCut) {

    public enum Outcome { FOUND, NXDOMAIN, NODATA, FAILED }

    /** One CNAME record followed while answering, with the status of that link alone. */
    public record CnameLink(String owner, String target, DnssecStatus status) { }

    public DnsResult {
        records = List.copyOf(records);
        cnameChain = List.copyOf(cnameChain);
        if (reason == null) reason = "";
        if (unsignedCut == null) unsignedCut = "";
    }

    public DnsResult(String qname, int type, Outcome outcome, List<Record> records, List<CnameLink> cnameChain,
                     DnssecStatus status, String reason) {
        this(qname, type, outcome, records, cnameChain, status, reason, "");
    }

    DnsResult withUnsignedCut(String cut) {
        return new DnsResult(qname, type, outcome, records, cnameChain, status, reason, cut);
    }

    static DnsResult failed(String qname, int type, DnssecStatus status, String reason) {
        return new DnsResult(qname, type, Outcome.FAILED, List.of(), List.of(), status, reason);
    }

    /** The same lookup as a failure of unknown outcome, for a caller that has reason not to believe it. */
    public DnsResult asIndeterminate(String why) {
        return failed(qname, type, DnssecStatus.INDETERMINATE, why);
    }

    /** An NXDOMAIN or NODATA said to come from unsigned space, reached without a CNAME. */
    public boolean isInsecureDenial() {
        return status == DnssecStatus.INSECURE && cnameChain.isEmpty()
                && (outcome == Outcome.NXDOMAIN || outcome == Outcome.NODATA);
    }

    public boolean isSecure() {
        return status == DnssecStatus.SECURE;
    }

    /** The records of the answer as their concrete type, e.g. {@code records(MXRecord.class)}. */
    public <T extends Record> List<T> records(Class<T> kind) {
        return records.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /**
     * The TLSA records of the answer as Depesche's own type (RFC 6698 2.1),
     * so that the policy and the probe never see the resolver library's.
     */
    public List<TlsaRecord> tlsaRecords() {
        return records(TLSARecord.class).stream().map(r -> new TlsaRecord(r.getCertificateUsage(), r.getSelector(),
                r.getMatchingType(), r.getCertificateAssociationData())).toList();
    }

    /** RFC 7505 3: a single MX record of preference 0 with the root as target: the domain accepts no mail. */
    public boolean isNullMx() {
        List<org.xbill.DNS.MXRecord> mx = records(org.xbill.DNS.MXRecord.class);
        return mx.size() == 1 && mx.getFirst().getPriority() == 0 && mx.getFirst().getTarget().equals(org.xbill.DNS.Name.root);
    }

    /** The name the answer was found at: the last CNAME target, or qname. */
    public String canonicalName() {
        return cnameChain.isEmpty() ? qname : cnameChain.getLast().target();
    }

    /** The same answer with its records in the given order. */
    DnsResult sorted(Comparator<Record> order) {
        List<Record> copy = new ArrayList<>(records);
        copy.sort(order);
        return new DnsResult(qname, type, outcome, copy, cnameChain, status, reason, unsignedCut);
    }

    @Override
    public String toString() {
        return qname + "/" + Type.string(type) + " " + outcome + " " + status
                + (reason.isEmpty() ? "" : " (" + reason + ")") + " " + records;
    }
}
