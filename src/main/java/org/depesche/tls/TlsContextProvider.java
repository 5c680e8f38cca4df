package org.depesche.tls;

import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The server's TLS identity. Each new handshake asks for the current
 * context, so a certificate replaced on disk is used for new connections
 * while open ones keep theirs. Implementation: {@link PemTlsContextProvider}.
 */
public interface TlsContextProvider {

    /** The context to use for the next handshake (reloaded if the files changed). */
    SSLContext current();

    /** The certificate chain currently served, leaf first. */
    List<X509Certificate> chain();

    /**
     * Wraps an accepted (plain) socket for server-side TLS with the
     * protocols and cipher suites of RFC 9325 (TLS 1.2 and 1.3 only). The
     * returned socket has not yet done its handshake.
     */
    SSLSocket wrapServer(java.net.Socket plain) throws java.io.IOException;
}
