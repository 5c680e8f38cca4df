package org.depesche.smtp.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLSession;

import org.depesche.dane.CertificateNames;
import org.depesche.smtp.Reply;
import org.depesche.smtp.TlsInfo;
import org.depesche.smtp.client.DeliveryAttempt.Stage;

/**
 * Checks an MX address the way {@link SmtpClient} would start a delivery,
 * and stops where MAIL FROM would follow: greeting, EHLO, STARTTLS when
 * offered (or required), the server's authentication under the given
 * requirement, EHLO again inside TLS (RFC 3207 4.2), then QUIT. No MAIL FROM
 * is ever sent, so nothing is queued at the other end; `depesche probe` and
 * the dashboard use it to state facts rather than guesses. Uses the same
 * connection code ({@link SmtpConnection}) and the same authentication
 * ({@link ServerAuthenticator}) as delivery.
 */
public final class ServerProbe implements AutoCloseable {
    private final String heloName;
    private final ClientTimeouts timeouts;
    private final ServerAuthenticator authenticator;
    private final javax.net.ssl.SSLContext handshakeContext;
    private final ScheduledExecutorService watchdog;

    /** The same arguments as {@link SmtpClient}'s: the trust store for PKIX (null: cacerts), the clock for dates. */
    public ServerProbe(String heloName, ClientTimeouts timeouts, KeyStore pkixTrustStore, Clock clock)
            throws GeneralSecurityException {
        this.heloName = heloName;
        this.timeouts = timeouts;
        this.authenticator = new ServerAuthenticator(clock, pkixTrustStore);
        this.handshakeContext = ServerAuthenticator.handshakeContext();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("server-probe-watchdog").factory());
    }

    /** One check of {@code address}; {@code mxHost} is the SNI and reference name. Never throws for the network. */
    public ServerCheck check(InetSocketAddress address, String mxHost, TlsRequirement requirement) {
        return new Check(address, mxHost, requirement).run();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    /** Ends a check early at a stage, with a sentence. */
    private static final class Stop extends Exception {
        final Stage stage;

        Stop(Stage stage, String message) {
            super(message, null, false, false);
            this.stage = stage;
        }
    }

    private final class Check {
        private final InetSocketAddress address;
        private final String mxHost;
        private final TlsRequirement requirement;
        private SmtpConnection conn;
        private String greeting = "";
        private boolean starttlsOffered;
        private Map<String, String> keywords = Map.of();
        private TlsOutcome tls = TlsOutcome.PLAINTEXT;
        private ServerCheck.Certificate certificate;

        Check(InetSocketAddress address, String mxHost, TlsRequirement requirement) {
            this.address = address;
            this.mxHost = mxHost;
            this.requirement = requirement;
        }

        ServerCheck run() {
            Stage failed = Stage.NONE;
            String message = "";
            try {
                conn = SmtpConnection.open(address, timeouts.connect(), timeouts.command(), watchdog);
                Reply hello = conn.read(timeouts.greeting());
                greeting = hello.toString();
                if (hello.code() != 220) throw new Stop(Stage.GREETING, where() + " said: " + hello + " (in the initial greeting)");
                hello();
                starttls();
                quit();
            } catch (Stop s) {
                failed = s.stage;
                message = s.getMessage();
                if (s.stage == Stage.EHLO || s.stage == Stage.STARTTLS || s.stage == Stage.TLS_AUTH) quit();
            } catch (IOException e) {
                failed = conn == null ? Stage.CONNECT : Stage.GREETING;
                message = (conn == null ? "could not connect to " : "no greeting from ") + where() + ": " + e.getMessage();
            } finally {
                if (conn != null) conn.close();
            }
            return new ServerCheck(mxHost, ip(), greeting, starttlsOffered, tls, keywords.keySet(),
                    tls.tls().isEncrypted() && keywords.containsKey("REQUIRETLS"), certificate, failed, message);
        }

        /** RFC 5321 3.2: HELO for a server without EHLO, where plaintext is allowed (as delivery does). */
        private void hello() throws Stop {
            Reply reply = command("EHLO " + heloName, Stage.EHLO);
            if (reply.isPermanent() && !requirement.tlsMandatory()) {
                Reply helo = command("HELO " + heloName, Stage.EHLO);
                if (helo.code() != 250) throw new Stop(Stage.EHLO, where() + " said: " + helo + " (in reply to HELO)");
                return;
            }
            offered(reply);
        }

        private void ehlo() throws Stop {
            offered(command("EHLO " + heloName, Stage.EHLO));
        }

        private void offered(Reply reply) throws Stop {
            if (reply.code() != 250) throw new Stop(Stage.EHLO, where() + " said: " + reply + " (in reply to EHLO)");
            keywords = SmtpClient.parseEhlo(reply);
            conn.enhancedStatusCodes = keywords.containsKey("ENHANCEDSTATUSCODES");
        }

        /** RFC 3207, with the requirement deciding as in delivery (THREATS T1, T2). */
        private void starttls() throws Stop {
            starttlsOffered = keywords.containsKey("STARTTLS");
            if (requirement instanceof TlsRequirement.None) return;
            if (!starttlsOffered) {
                if (!requirement.tlsMandatory()) return;
                tls = TlsOutcome.failed(TlsInfo.NONE, "starttls-not-supported");
                throw new Stop(Stage.STARTTLS, mxHost + " does not offer STARTTLS");
            }
            Reply reply = command("STARTTLS", Stage.STARTTLS);
            if (reply.code() != 220) {
                if (!requirement.tlsMandatory()) return; // RFC 3207 4: plaintext when the server declines
                tls = TlsOutcome.failed(TlsInfo.NONE, "starttls-refused");
                throw new Stop(Stage.STARTTLS, where() + " refused STARTTLS: " + reply);
            }
            if (conn.hasBufferedInput()) { // RFC 3207 4.2
                tls = TlsOutcome.failed(TlsInfo.NONE, "handshake-failed");
                throw new Stop(Stage.STARTTLS, where() + " sent data after its reply to STARTTLS (RFC 3207 4.2)");
            }
            handshake();
            keywords = Map.of(); // RFC 3207 4.2: what was offered in plaintext no longer counts
            conn.enhancedStatusCodes = false;
            ehlo();
        }

        private void handshake() throws Stop {
            SSLSession session;
            try {
                String sni = requirement instanceof TlsRequirement.Dane d ? d.referenceNames().iterator().next() : mxHost;
                session = conn.startTls(handshakeContext, sni, timeouts.command()).getSession();
            } catch (IOException e) {
                tls = TlsOutcome.failed(TlsInfo.NONE, "handshake-failed");
                throw new Stop(Stage.STARTTLS, "the TLS handshake with " + where() + " failed: " + e.getMessage());
            }
            TlsInfo info = new TlsInfo(session.getProtocol(), session.getCipherSuite());
            List<X509Certificate> chain = chain(session);
            if (chain.isEmpty()) {
                tls = TlsOutcome.failed(info, "handshake-failed");
                throw new Stop(Stage.TLS_AUTH, mxHost + " presented no certificate");
            }
            ServerAuthenticator.Verdict pkix = authenticator.verify(new TlsRequirement.Pkix(Set.of(mxHost)), mxHost, chain, info);
            certificate = new ServerCheck.Certificate(CertificateNames.presentedNames(chain.getFirst(), false),
                    pkix.ok(), pkix.reason(), sha256(chain.getFirst()));
            ServerAuthenticator.Verdict verdict = authenticator.verify(requirement, mxHost, chain, info);
            if (!verdict.ok() && requirement.tlsMandatory()) {
                tls = TlsOutcome.failed(info, verdict.failure());
                throw new Stop(Stage.TLS_AUTH, verdict.reason());
            }
            tls = new TlsOutcome(info, verdict.ok() ? verdict.authentication() : Authentication.NONE, "");
        }

        private Reply command(String line, Stage stage) throws Stop {
            try {
                conn.send(line);
                conn.flush(timeouts.command());
                return conn.read(timeouts.command());
            } catch (IOException e) {
                throw new Stop(stage, where() + " did not answer " + line.split(" ")[0] + ": " + e.getMessage());
            }
        }

        private void quit() {
            conn.quit(timeouts.command());
        }

        private String ip() {
            return address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        }

        private String where() {
            return mxHost + " [" + ip() + "]";
        }
    }

    private static List<X509Certificate> chain(SSLSession session) {
        try {
            Certificate[] certs = session.getPeerCertificates();
            return Arrays.stream(certs).filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            return "";
        }
    }
}
