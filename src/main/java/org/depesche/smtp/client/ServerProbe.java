package org.depesche.smtp.client;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;

/**
 * Checks an MX address the way {@link SmtpClient} would start a delivery,
 * and stops where MAIL FROM would follow. A thin wrapper: the session is
 * {@link SmtpClient#check}, the very code delivery runs (greeting, EHLO,
 * STARTTLS under the requirement, the server's authentication, EHLO again
 * inside TLS, then QUIT), so the probe cannot drift from what delivery does.
 */
public final class ServerProbe implements AutoCloseable {
    private final SmtpClient client;

    /** The same arguments as {@link SmtpClient}'s: the trust store for PKIX (null: cacerts), the clock for dates. */
    public ServerProbe(String heloName, ClientTimeouts timeouts, KeyStore pkixTrustStore, Clock clock)
            throws GeneralSecurityException {
        this.client = new SmtpClient(heloName, timeouts, pkixTrustStore, clock);
    }

    /** One check of {@code address}; {@code mxHost} is the SNI and reference name. Never throws for the network. */
    public ServerCheck check(InetSocketAddress address, String mxHost, TlsRequirement requirement) {
        return client.check(address, mxHost, requirement);
    }

    @Override
    public void close() {
        client.close();
    }
}
