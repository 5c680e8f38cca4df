package org.depesche.mtasts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import org.depesche.dns.DnsResult;
import org.depesche.dns.DnsResolver;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 3.1): "v=STSv1; id=...;".
 *
 * @param id the policy id, 1 to 32 letters and digits
 */
public record StsRecord(String id) {

    /** The name the record is published at. */
    public static String owner(String domain) {
        return "_mta-sts." + domain;
    }

    /** The record as this server publishes it. */
    public String toText() {
        return "v=STSv1; id=" + id + ";";
    }

    /**
     * Chooses from the TXT strings at {@code _mta-sts.<domain>} (each the
     * concatenation of one record's character strings). RFC 8461 3.1: records
     * not starting with "v=STSv1" are ignored; if not exactly one remains, or
     * it does not parse, the domain has no policy.
     */
    public static Optional<StsRecord> select(List<String> txt) {
        List<String> candidates = new ArrayList<>();
        for (String t : txt) if (t.startsWith("v=STSv1")) candidates.add(t);
        if (candidates.size() != 1) return Optional.empty();
        return parse(candidates.getFirst());
    }

    /**
     * Looks the record up; empty when there is none, when the lookup fails or
     * the answer is bogus (the cache then keeps what it had, RFC 8461 5.1).
     */
    public static Optional<StsRecord> lookup(DnsResolver dns, String domain) {
        DnsResult r = dns.lookup(owner(domain), Type.TXT);
        if (r.outcome() != DnsResult.Outcome.FOUND || r.status() == org.depesche.dns.DnssecStatus.BOGUS) return Optional.empty();
        return select(r.records(TXTRecord.class).stream().map(t -> String.join("", t.getStrings())).toList());
    }

    static Optional<StsRecord> parse(String text) {
        String id = null;
        boolean first = true;
        for (String field : text.split(";", -1)) {
            String f = field.strip();
            if (f.isEmpty()) continue;
            int eq = f.indexOf('=');
            if (eq <= 0) return Optional.empty();
            String key = f.substring(0, eq).strip(), value = f.substring(eq + 1).strip();
            if (first) {
                if (!key.equals("v") || !value.equals("STSv1")) return Optional.empty();
                first = false;
            } else if (key.equals("id")) {
                if (id != null || !value.matches("[A-Za-z0-9]{1,32}")) return Optional.empty();
                id = value;
            }
        }
        return Optional.ofNullable(id).map(StsRecord::new);
    }
}
