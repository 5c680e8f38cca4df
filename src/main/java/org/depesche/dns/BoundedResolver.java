package org.depesche.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Sits between the validator and the upstream servers. It refuses answers
 * that would make validation expensive before the validator sees them
 * (THREATS T14, KeyTrap): too many records, too many DNSKEYs in an RRset,
 * too many RRSIGs over one RRset. And it keeps DNSKEY and DS answers for
 * their TTL: dnsjava's validator walks the chain from the trust anchor again
 * for every zone whose own key it has not cached, which would cost a round
 * trip per parent zone; it still verifies every signature in them each time.
 */
final class BoundedResolver implements Resolver {
    /**
     * Kept answers are not yet validated, so a forged one would keep failing
     * lookups for as long as it is kept: a short bound limits that.
     */
    private static final long KEEP_KEY_ANSWERS_SECONDS = 600;
    private final Resolver upstream;
    private final DnsLimits limits;
    private final Clock clock;
    private final Map<String, KeyAnswer> keyAnswers;

    private record KeyAnswer(Message message, Instant expires) { }

    BoundedResolver(Resolver upstream, DnsLimits limits, Clock clock) {
        this.upstream = upstream;
        this.limits = limits;
        this.clock = clock;
        int max = limits.keyCacheEntries();
        this.keyAnswers = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, KeyAnswer> eldest) {
                return size() > max;
            }
        };
    }

    /** An answer refused for its size; the lookup becomes bogus with this message as the reason. */
    static final class AnswerTooLargeException extends java.io.IOException {
        AnswerTooLargeException(String message) {
            super(message);
        }
    }

    /** The upstream answered SERVFAIL, REFUSED or similar: the lookup is indeterminate. */
    static final class UpstreamFailedException extends java.io.IOException {
        UpstreamFailedException(String message) {
            super(message);
        }
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        Record q = query.getQuestion();
        boolean keyMaterial = q.getType() == Type.DNSKEY || q.getType() == Type.DS;
        String key = DnsNames.text(q.getName()) + "/" + q.getType();
        if (keyMaterial) {
            Message kept = keptAnswer(key, query.getHeader().getID());
            if (kept != null) return CompletableFuture.completedFuture(kept);
        }
        return upstream.sendAsync(query, executor).thenCompose(answer -> {
            int rcode = answer.getRcode();
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                return CompletableFuture.failedFuture(new UpstreamFailedException("upstream answered "
                        + Rcode.string(rcode) + " to " + DnsNames.text(query.getQuestion().getName())
                        + "/" + Type.string(query.getQuestion().getType())));
            }
            String problem = check(answer);
            if (problem != null) return CompletableFuture.failedFuture(new AnswerTooLargeException(problem));
            if (keyMaterial && rcode == Rcode.NOERROR) keep(key, answer);
            return CompletableFuture.completedFuture(answer);
        });
    }

    private Message keptAnswer(String key, int id) {
        synchronized (keyAnswers) {
            KeyAnswer kept = keyAnswers.get(key);
            if (kept == null) return null;
            if (!kept.expires().isAfter(clock.instant())) {
                keyAnswers.remove(key);
                return null;
            }
            Message copy = kept.message().clone();
            copy.getHeader().setID(id);
            return copy;
        }
    }

    private void keep(String key, Message answer) {
        long ttl = Math.min(KEEP_KEY_ANSWERS_SECONDS, limits.maxTtl().toSeconds());
        int records = 0;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
            for (Record r : answer.getSection(section)) {
                ttl = Math.min(ttl, r.getTTL());
                records++;
            }
        }
        if (records == 0 || ttl <= 0) return;
        synchronized (keyAnswers) {
            keyAnswers.put(key, new KeyAnswer(answer.clone(), clock.instant().plusSeconds(ttl)));
        }
    }

    private String check(Message answer) {
        int total = 0;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            total += answer.getSection(section).size();
            for (RRset set : answer.getSectionRRsets(section)) {
                String q = set.getName() + "/" + Type.string(set.getType());
                if (set.getType() == Type.DNSKEY && set.size() > limits.maxDnskeys()) {
                    return "DNSKEY RRset of " + set.getName() + " has " + set.size()
                            + " keys, more than the " + limits.maxDnskeys() + " allowed";
                }
                if (set.sigs().size() > limits.maxRrsigs()) {
                    return q + " carries " + set.sigs().size() + " signatures, more than the "
                            + limits.maxRrsigs() + " allowed";
                }
            }
        }
        if (total > limits.maxRecords()) {
            return "answer to " + answer.getQuestion().getName() + " has " + total
                    + " records, more than the " + limits.maxRecords() + " allowed";
        }
        return null;
    }

    @Override
    public void setPort(int port) {
        upstream.setPort(port);
    }

    @Override
    public void setTCP(boolean flag) {
        upstream.setTCP(flag);
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
        upstream.setIgnoreTruncation(flag);
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        upstream.setEDNS(version, payloadSize, flags, options);
    }

    @Override
    public void setTSIGKey(TSIG key) {
        upstream.setTSIGKey(key);
    }

    @Override
    public void setTimeout(Duration timeout) {
        upstream.setTimeout(timeout);
    }

    @Override
    public Duration getTimeout() {
        return upstream.getTimeout();
    }
}
