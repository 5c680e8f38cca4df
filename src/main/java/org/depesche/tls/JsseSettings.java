package org.depesche.tls;

/**
 * TLS behaviour that JSSE takes only from system properties, and only once:
 * when its server-side handshake code is first loaded. There is no per-socket
 * switch for it, so it is set for the whole JVM before the first server
 * handshake; {@link PemTlsContextProvider}, through which every listener
 * (SMTP, submission, MTA-STS) wraps its sockets, does so when it is loaded.
 * The test JVM gets the same property on its command line (pom.xml), since
 * test servers may handshake before that class is loaded.
 */
public final class JsseSettings {

    /**
     * A TLS 1.2 client may ask for a new handshake on an established
     * connection (RFC 5246 7.4.1.2, secured by RFC 5746). Each one costs the
     * server a full key exchange and signature, so a client could keep it
     * busy with one connection (testssl.sh: "Secure Client-Initiated
     * Renegotiation ... potential DoS threat"). The server never needs it,
     * and TLS 1.3 has none (RFC 8446 4.1.2), so JSSE answers such a
     * ClientHello with a fatal handshake_failure alert.
     */
    public static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    private JsseSettings() {}

    /** Sets the properties; idempotent, and effective only before the JVM's first server handshake. */
    public static void apply() {
        System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
    }
}
