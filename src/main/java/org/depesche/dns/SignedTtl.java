package org.depesche.dns;

import java.time.Instant;
import org.xbill.DNS.Message;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * RFC 4035 5.3.3: a validator must not cache a signed RRset longer than the
 * original TTL its RRSIG covers, nor past the signature's expiration. The
 * wire TTL is outside the signature, so it is lowered here before anything
 * caches the RRset.
 */
final class SignedTtl {
    private SignedTtl() { }

    /** The message with each signed RRset's TTL (its RRSIGs' too) at most what every one of its signatures allows. */
    static Message capped(Message answer, Instant now) {
        if (!needsCap(answer, now)) return answer;
        Message out = answer.clone();
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            out.removeAllRecords(section);
            for (RRset set : answer.getSectionRRsets(section)) {
                long ttl = allowed(set, now);
                set.rrs().forEach(r -> out.addRecord(withTtl(r, ttl), section));
                set.sigs().forEach(r -> out.addRecord(withTtl(r, ttl), section));
            }
            // records getSectionRRsets does not group (the OPT pseudo-record) stay as they were
            for (Record r : answer.getSection(section)) {
                if (r.getType() == org.xbill.DNS.Type.OPT) out.addRecord(r, section);
            }
        }
        return out;
    }

    private static boolean needsCap(Message answer, Instant now) {
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (RRset set : answer.getSectionRRsets(section)) {
                if (!set.sigs().isEmpty() && allowed(set, now) < set.getTTL()) return true;
            }
        }
        return false;
    }

    private static long allowed(RRset set, Instant now) {
        long ttl = set.getTTL();
        for (RRSIGRecord sig : set.sigs()) {
            ttl = Math.min(ttl, sig.getOrigTTL());
            ttl = Math.min(ttl, Math.max(0, sig.getExpire().getEpochSecond() - now.getEpochSecond()));
        }
        return ttl;
    }

    private static Record withTtl(Record r, long ttl) {
        if (r.getTTL() <= ttl) return r;
        return Record.newRecord(r.getName(), r.getType(), r.getDClass(), ttl, r.rdataToWireCanonical());
    }
}
