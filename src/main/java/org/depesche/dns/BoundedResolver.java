package org.depesche.dns;

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
 * Sits between the validator and the upstream servers and refuses answers
 * that would make validation expensive before the validator sees them
 * (THREATS T14, KeyTrap): too many records, too many DNSKEYs in an RRset,
 * too many RRSIGs over one RRset.
 */
final class BoundedResolver implements Resolver {
    private final Resolver upstream;
    private final DnsLimits limits;

    BoundedResolver(Resolver upstream, DnsLimits limits) {
        this.upstream = upstream;
        this.limits = limits;
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
        return upstream.sendAsync(query, executor).thenCompose(answer -> {
            int rcode = answer.getRcode();
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                return CompletableFuture.failedFuture(new UpstreamFailedException("upstream answered "
                        + Rcode.string(rcode) + " to " + DnsNames.text(query.getQuestion().getName())
                        + "/" + Type.string(query.getQuestion().getType())));
            }
            String problem = check(answer);
            return problem == null ? CompletableFuture.completedFuture(answer)
                    : CompletableFuture.failedFuture(new AnswerTooLargeException(problem));
        });
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
