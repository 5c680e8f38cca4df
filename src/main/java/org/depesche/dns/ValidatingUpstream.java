package org.depesche.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Validates in process with dnsjava's validator (RFC 4035 5): it asks the
 * upstream servers with DO and CD set, fetches DS and DNSKEY along the chain
 * from the trust anchor itself, and ignores the upstream's AD bit.
 */
final class ValidatingUpstream extends Upstream {
    private final ValidatingResolver validator;

    ValidatingUpstream(List<InetSocketAddress> servers, String trustAnchors, DnsLimits limits, Clock clock) {
        super(limits);
        this.validator = new ValidatingResolver(new BoundedResolver(servers(servers, limits.queryTimeout()), limits, clock),
                clock);
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
    }

    /** The validator's own bounds, set explicitly rather than inherited from system properties (T14). */
    private static Properties properties(DnsLimits limits) {
        Properties p = new Properties();
        p.setProperty("dnsjava.dnssec.keycache.max_ttl", Long.toString(limits.maxTtl().toSeconds()));
        p.setProperty("dnsjava.dnssec.keycache.max_size", Integer.toString(limits.keyCacheEntries()));
        p.setProperty("dnsjava.dnssec.max_validate_rrsigs", Integer.toString(limits.maxValidateRrsigs()));
        p.setProperty("dnsjava.dnssec.max_ds_match_failures", Integer.toString(limits.maxDsMatchFailures()));
        // RFC 9276 3.2: one limit whatever the key size, proofs above it are ignored (insecure)
        for (int keySize : new int[] {1024, 2048, 4096}) {
            p.setProperty("dnsjava.dnssec.nsec3.iterations." + keySize, Integer.toString(limits.maxNsec3Iterations()));
        }
        return p;
    }

    @Override
    Answer query(Name name, int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        return await(name, type, validator.sendAsync(query, executor)
                .thenApply(m -> classify(name, type, m)).toCompletableFuture());
    }

    /** The validator says secure with AD and bogus with SERVFAIL plus a reason record. */
    private Answer classify(Name name, int type, Message m) {
        String reason = Answer.validatorReason(m);
        if (m.getHeader().getFlag(Flags.AD)) {
            return Answer.read(name, type, m, DnssecStatus.SECURE, "", limits);
        }
        if (m.getRcode() == Rcode.SERVFAIL) {
            return Answer.failed(name, type, DnssecStatus.BOGUS, Answer.bogusReason(name, type, m), limits);
        }
        return Answer.read(name, type, m, DnssecStatus.INSECURE, reason, limits);
    }
}
