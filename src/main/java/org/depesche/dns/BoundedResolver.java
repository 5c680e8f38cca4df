package org.depesche.dns;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Sits between the validator and the upstream servers. It refuses answers
 * that would make validation expensive before the validator sees them
 * (THREATS T14, KeyTrap): too many records, too many DNSKEYs in an RRset,
 * too many RRSIGs over one RRset. And it lowers the TTL of every signed
 * RRset to what its signatures allow (RFC 4035 5.3.3: the original TTL, and
 * no longer than the signatures are valid), because the TTL on the wire is
 * not covered by the signature: an on-path attacker replaying a signed
 * RRset with a raised TTL would otherwise keep it cached, the validator's
 * key cache included, after it expired. DS and DNSKEY answers that verify
 * along the chain are kept ({@link KeyAnswers}); nothing else is.
 */
final class BoundedResolver implements Resolver {
    private final Resolver upstream;
    private final DnsLimits limits;
    private final Clock clock;
    private volatile KeyAnswers keyAnswers;

    BoundedResolver(Resolver upstream, DnsLimits limits, Clock clock) {
        this.upstream = upstream;
        this.limits = limits;
        this.clock = clock;
    }

    /** From now on keeps the DS and DNSKEY answers that verify from these trust anchors. */
    void keepKeyAnswers(KeyAnswers kept) {
        this.keyAnswers = kept;
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
        org.xbill.DNS.Record question = query.getQuestion();
        KeyAnswers kept = KeyAnswers.isKeyMaterial(question.getType()) ? keyAnswers : null;
        if (kept != null) {
            Message known = kept.kept(question, query.getHeader().getID());
            if (known != null) return CompletableFuture.completedFuture(known);
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
            Message capped = SignedTtl.capped(answer, clock.instant());
            if (kept != null) kept.offer(question, capped);
            return CompletableFuture.completedFuture(capped);
        });
    }

    private String check(Message answer) {
        int total = 0;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            total += answer.getSection(section).size();
            for (RRset set : answer.getSectionRRsets(section)) {
                String q = set.getName() + "/" + Type.string(set.getType());
                if (set.getType() == Type.DNSKEY && set.size() > limits.work().maxDnskeys()) {
                    return "DNSKEY RRset of " + set.getName() + " has " + set.size()
                            + " keys, more than the " + limits.work().maxDnskeys() + " allowed";
                }
                if (set.sigs().size() > limits.work().maxRrsigs()) {
                    return q + " carries " + set.sigs().size() + " signatures, more than the "
                            + limits.work().maxRrsigs() + " allowed";
                }
            }
        }
        if (total > limits.work().maxRecords()) {
            return "answer to " + answer.getQuestion().getName() + " has " + total
                    + " records, more than the " + limits.work().maxRecords() + " allowed";
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
