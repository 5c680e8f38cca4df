package org.depesche.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Validates in process with dnsjava's validator (RFC 4035 5): it asks the
 * upstream servers with DO and CD set, fetches DS and DNSKEY along the chain
 * from the trust anchor itself, and ignores the upstream's AD bit. An answer
 * the validator did not mark secure is insecure only where
 * {@link InsecurityProof} proves it; otherwise indeterminate or bogus.
 */
final class ValidatingUpstream extends Upstream {
    private final ValidatingResolver validator;
    private final InsecurityProof proof;

    ValidatingUpstream(List<InetSocketAddress> servers, String trustAnchors, DnsLimits limits, Clock clock) {
        super(limits);
        BoundedResolver bounded = new BoundedResolver(servers(servers, limits.time().query()), limits, clock);
        this.validator = new ValidatingResolver(bounded, clock);
        try {
            validator.init(properties(limits));
            validator.getTrustAnchors().clear();
            validator.loadTrustAnchors(new ByteArrayInputStream(trustAnchors.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("bad DNSSEC trust anchor: " + e.getMessage(), e);
        }
        if (validator.getTrustAnchors().items().isEmpty()) {
            throw new IllegalArgumentException("bad DNSSEC trust anchor: no DS or DNSKEY record in it");
        }
        List<Name> anchors = validator.getTrustAnchors().items().stream().map(org.xbill.DNS.RRset::getName).toList();
        bounded.keepKeyAnswers(new KeyAnswers(validator.getTrustAnchors().items().stream()
                .flatMap(set -> set.rrs().stream()).toList(), limits, clock));
        this.proof = new InsecurityProof(this::ask, anchors, limits, clock);
    }

    /** The validator's own bounds, set explicitly rather than inherited from system properties (T14). */
    private static Properties properties(DnsLimits limits) {
        Properties p = new Properties();
        p.setProperty("dnsjava.dnssec.keycache.max_ttl", Long.toString(limits.cache().maxTtl().toSeconds()));
        p.setProperty("dnsjava.dnssec.keycache.max_size", Integer.toString(limits.cache().keyEntries()));
        p.setProperty("dnsjava.dnssec.max_validate_rrsigs", Integer.toString(limits.work().maxValidateRrsigs()));
        p.setProperty("dnsjava.dnssec.max_ds_match_failures", Integer.toString(limits.work().maxDsMatchFailures()));
        // RFC 9276 3.2: one limit whatever the key size, proofs above it are ignored (insecure)
        for (int keySize : new int[] {1024, 2048, 4096}) {
            p.setProperty("dnsjava.dnssec.nsec3.iterations." + keySize, Integer.toString(limits.work().maxNsec3Iterations()));
        }
        return p;
    }

    @Override
    Answer query(Name name, int type) {
        InsecurityProof.Reply reply = ask(name, type, false);
        if (reply.message() == null) return answer(name, type, reply);
        Message m = reply.message();
        if (reply.validated()) return Answer.read(name, type, m, DnssecStatus.SECURE, "", limits);
        if (m.getRcode() == Rcode.SERVFAIL) return unusableDs(name, type, m);
        return unvalidated(name, type, m);
    }

    /** One query through the validator, or with CD set its upstream's answer unchecked (RFC 4035 3.2.2). */
    private InsecurityProof.Reply ask(Name name, int type, boolean checkingDisabled) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        if (checkingDisabled) query.getHeader().setFlag(Flags.CD);
        return await(name, type, validator.sendAsync(query, executor).thenApply(InsecurityProof.Reply::of)
                .toCompletableFuture(), InsecurityProof.Reply::failed);
    }

    private Answer answer(Name name, int type, InsecurityProof.Reply failed) {
        return Answer.failed(name, type, failed.failure(), failed.reason(), limits);
    }

    /**
     * Bogus, except where the data lies in proven unsigned space, which
     * dnsjava may still call bogus: under DS records that name only
     * algorithms or digest types nobody here can validate (RFC 4035 5.2,
     * RFC 6840 5.2; dnsjava fetches the child's DNSKEY and, finding none,
     * fails), or at the end of a CNAME chain that leads there. The records
     * as they came (CD set) are judged as any unvalidated answer is.
     */
    private Answer unusableDs(Name name, int type, Message bogus) {
        InsecurityProof.Reply raw = ask(name, type, true);
        if (raw.message() != null && raw.message().getRcode() != Rcode.SERVFAIL) {
            Answer unsigned = unvalidated(name, type, raw.message());
            if (unsigned.result().status() == DnssecStatus.INSECURE) return unsigned;
        }
        return Answer.failed(name, type, DnssecStatus.BOGUS, Answer.bogusReason(name, type, bogus), limits);
    }

    /**
     * An answer without AD is insecure only where that is proven: along a
     * CNAME chain, the first link that did not validate on its own must lie
     * in proven unsigned space (a link after it can say anything an attacker
     * likes anyway), or, every link being secure, the name at the end of the
     * chain must (RFC 4035 5, RFC 7672 2.2.3).
     */
    private Answer unvalidated(Name name, int type, Message m) {
        Name current = name;
        for (CNAMERecord link : Answer.cnameChain(name, type, m)) {
            InsecurityProof.Reply own = ask(current, Type.CNAME, false);
            boolean secureLink = own.validated() && own.message().getSection(Section.ANSWER).stream()
                    .anyMatch(r -> r instanceof CNAMERecord c && c.getName().equals(link.getName())
                            && c.getTarget().equals(link.getTarget()));
            if (!secureLink) return verdict(name, type, m, current);
            current = link.getTarget();
        }
        return verdict(name, type, m, subject(current, type));
    }

    private Answer verdict(Name name, int type, Message m, Name unsigned) {
        return switch (proof.prove(unsigned)) {
            case InsecurityProof.Proven p -> Answer.unsigned(name, type, m, p, limits);
            case InsecurityProof.NotProven n -> Answer.failed(name, type, n.status(), "the answer for "
                    + DnsNames.text(name) + "/" + Type.string(type) + " is not validated: " + n.reason(), limits);
        };
    }

    /** A DS RRset is the parent zone's data (RFC 4035 2.4), so its owner's parent is what must be unsigned. */
    private static Name subject(Name name, int type) {
        return type == Type.DS && name.labels() > 1 ? new Name(name, 1) : name;
    }
}
