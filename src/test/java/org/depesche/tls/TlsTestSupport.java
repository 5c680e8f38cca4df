package org.depesche.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import java.util.List;

/** A TLS echo server on loopback built from a provider, and clients that trust given certificates. */
final class TlsTestSupport {
    private TlsTestSupport() {
    }

    /** Accepts on port 0, wraps each connection with the provider and echoes lines back. */
    static final class EchoServer implements AutoCloseable {
        private final ServerSocket server;
        private final TlsContextProvider tls;

        EchoServer(TlsContextProvider tls) throws IOException {
            this.tls = tls;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket plain = server.accept();
                    Thread.ofVirtual().start(() -> echo(plain));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void echo(Socket plain) {
            try (SSLSocket s = tls.wrapServer(plain)) {
                s.startHandshake();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                for (String line; (line = in.readLine()) != null; ) {
                    out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // refused handshakes end here; the client side asserts what happened
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    static SSLContext trusting(X509Certificate... certs) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < certs.length; i++) trust.setCertificateEntry("c" + i, certs[i]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Connects to loopback, sends SNI {@code host} and verifies the certificate against it. */
    static SSLSocket connect(SSLContext ctx, int port, String host, String[] protocols, String[] suites) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        plain.setSoTimeout(10_000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setServerNames(List.of(new SNIHostName(host)));
        if (protocols != null) p.setProtocols(protocols);
        if (suites != null) p.setCipherSuites(suites);
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    static SSLSocket connect(SSLContext ctx, int port, String host) throws IOException {
        return connect(ctx, port, host, null, null);
    }

    static String roundTrip(SSLSocket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
}
