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
                if (set.getType() == org.xbill.DNS.Type.OPT) continue;
                long ttl = allowed(set, now);
                set.rrs().forEach(r -> out.addRecord(withTtl(r, ttl), section));
                set.sigs().forEach(r -> out.addRecord(withTtl(r, ttl), section));
            }
            // the OPT pseudo-record (its TTL field holds EDNS flags, RFC 6891 6.1.3) stays as it was
            for (Record r : answer.getSection(section)) {
                if (r.getType() == org.xbill.DNS.Type.OPT) out.addRecord(r, section);
            }
        }
        return out;
    }

    /** The shortest TTL of the answer and authority records, at most {@code max}. */
    static long shortest(Message m, long max) {
        long ttl = max;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
            for (Record r : m.getSection(section)) ttl = Math.min(ttl, r.getTTL());
        }
        return ttl;
    }

    /**
     * A copy of a kept message as a cache hands it out again: every TTL at
     * most what is left of its time (RFC 1035 7.4), so nothing downstream
     * counts a full TTL from the moment of the replay.
     */
    static Message remaining(Message kept, long secondsLeft) {
        Message out = kept.clone();
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            out.removeAllRecords(section);
            for (Record r : kept.getSection(section)) {
                out.addRecord(r.getType() == org.xbill.DNS.Type.OPT ? r : withTtl(r, secondsLeft), section);
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
