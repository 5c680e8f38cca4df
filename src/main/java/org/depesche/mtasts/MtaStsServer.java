package org.depesche.mtasts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.depesche.config.HostPort;
import org.depesche.tls.PemTlsContextProvider;
import org.depesche.tls.TlsContextProvider;

/**
 * Serves this server's MTA-STS policy (RFC 8461 3.3) over HTTPS: GET
 * {@code /.well-known/mta-sts.txt} on host {@code mta-sts.<domain>} for each
 * local domain answers 200 text/plain with the policy; any other host, path or
 * method gets 404 or 405 and never a redirect. TLS 1.2 and 1.3 with the
 * server's certificate.
 */
public final class MtaStsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MtaStsServer.class);
    static final String PATH = "/.well-known/mta-sts.txt";

    private final HostPort listen;
    private final PublishedPolicy policy;
    private final Predicate<String> isLocalDomain;
    private final TlsContextProvider tls;
    private HttpsServer server;
    private ExecutorService executor;

    public MtaStsServer(HostPort listen, PublishedPolicy policy, Predicate<String> isLocalDomain, TlsContextProvider tls) {
        this.listen = listen;
        this.policy = policy;
        this.isLocalDomain = isLocalDomain;
        this.tls = tls;
    }

    public void start() throws IOException {
        server = HttpsServer.create(new InetSocketAddress(listen.host(), listen.port()), 0);
        server.setHttpsConfigurator(new Configurator(tls));
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        log.info("event=mta-sts-listening address={} id={} mode={}", address(), policy.id(), policy.policy().mode().label());
    }

    /** The bound address, or null before start. */
    public InetSocketAddress address() {
        return server == null ? null : server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String domain = policyDomain(exchange.getRequestHeaders().getFirst("Host"));
            byte[] body;
            int status;
            if (!exchange.getRequestURI().getPath().equals(PATH) || domain == null || !isLocalDomain.test(domain)) {
                status = 404;
                body = "not found\n".getBytes(StandardCharsets.US_ASCII);
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                status = 405;
                body = "only GET\n".getBytes(StandardCharsets.US_ASCII);
            } else {
                status = 200;
                body = policy.policy().toText().getBytes(StandardCharsets.US_ASCII);
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain"); // RFC 8461 3.3
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** "mta-sts.example.org[:443]" gives "example.org"; anything else null. */
    static String policyDomain(String host) {
        if (host == null) return null;
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon >= 0 && !h.endsWith("]")) h = h.substring(0, colon);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h.startsWith("mta-sts.") && h.length() > "mta-sts.".length() ? h.substring("mta-sts.".length()) : null;
    }

    @Override
    public void close() {
        if (server != null) server.stop(0);
        if (executor != null) executor.close();
    }

    /** Each new connection takes the current context, so a renewed certificate is used without a restart. */
    private static final class Configurator extends HttpsConfigurator {
        private final TlsContextProvider tls;

        Configurator(TlsContextProvider tls) {
            super(tls.current());
            this.tls = tls;
        }

        @Override
        public SSLContext getSSLContext() {
            return tls.current();
        }

        @Override
        public void configure(HttpsParameters params) {
            SSLParameters p = tls.current().getDefaultSSLParameters();
            p.setProtocols(PemTlsContextProvider.PROTOCOLS.toArray(String[]::new));
            p.setCipherSuites(PemTlsContextProvider.CIPHER_SUITES.toArray(String[]::new));
            params.setSSLParameters(p);
        }
    }
}
