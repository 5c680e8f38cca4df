package org.depesche.dns;

import java.net.InetSocketAddress;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;

/**
 * Trusts the AD bit of a validating resolver (RFC 4035 4.9.3, RFC 6840 5.7):
 * only sound when the path to it cannot be tampered with, so only loopback
 * addresses are accepted.
 */
final class TrustAdUpstream extends Upstream {
    private final Resolver resolver;

    TrustAdUpstream(List<InetSocketAddress> servers, DnsLimits limits) {
        super(limits);
        for (InetSocketAddress server : servers) {
            if (server.getAddress() == null || !server.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("dns mode trust-ad trusts the AD bit only from a validating "
                        + "resolver on a loopback address, and " + server.getHostString() + " is not one; "
                        + "use mode validate or a local resolver such as Unbound on 127.0.0.1");
            }
        }
        this.resolver = servers(servers, limits.time().query());
        resolver.setEDNS(0, 1232, ExtendedFlags.DO, List.of());
    }

    @Override
    Answer query(Name name, int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        query.getHeader().setFlag(Flags.AD); // RFC 6840 5.7: ask for the AD bit
        return await(name, type, resolver.sendAsync(query, executor)
                .thenApply(m -> classify(name, type, m)).toCompletableFuture());
    }

    private Answer classify(Name name, int type, Message m) {
        if (m.getRcode() == Rcode.SERVFAIL) {
            ExtendedErrorCodeOption ede = Answer.ede(m);
            // RFC 8914 4.2-4.13: codes 1 to 12 are DNSSEC failures; a bare SERVFAIL may be anything
            if (ede != null && ede.getErrorCode() >= 1 && ede.getErrorCode() <= 12) {
                String text = ede.getText() == null || ede.getText().isEmpty() ? "" : " (" + ede.getText() + ")";
                return Answer.failed(name, type, DnssecStatus.BOGUS, "the validating resolver failed "
                        + DnsNames.text(name) + "/" + org.xbill.DNS.Type.string(type) + " with extended error "
                        + ede.getErrorCode() + ", " + Answer.edeText(ede.getErrorCode()) + text, limits);
            }
            return indeterminate(name, type, "resolver answered SERVFAIL");
        }
        DnssecStatus status = m.getHeader().getFlag(Flags.AD) ? DnssecStatus.SECURE : DnssecStatus.INSECURE;
        return Answer.read(name, type, m, status, "", limits);
    }
}
