package org.depesche.testsupport;

import org.depesche.mtasts.PolicyFetcher;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;


/**
 * A policy host on loopback for tests: real HTTPS with a certificate from
 * TestPki, answering every request with what the test set last.
 */
public final class PolicyServer implements AutoCloseable {
    private final HttpsServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int status = 200;
    private volatile String contentType = "text/plain";
    private volatile byte[] body = new byte[0];
    private volatile String location;

    public PolicyServer(TestPki.Identity identity) throws Exception {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(TestPki.serverContext(identity)));
        server.createContext("/", this::handle);
        server.start();
    }

    /** A client context trusting only {@code ca}. */
    public static SSLContext clientTrusting(TestPki.Identity ca) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(TestPki.trustStore(ca.certificate()));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A fetcher that asks this server, by the name "localhost", for every domain's policy. */
    public PolicyFetcher fetcher(SSLContext trust) {
        int port = server.getAddress().getPort();
        return new PolicyFetcher(trust, Duration.ofSeconds(5), Duration.ofSeconds(5),
                domain -> URI.create("https://localhost:" + port + "/.well-known/mta-sts.txt"));
    }

    public PolicyServer serve(String text) {
        return respond(200, "text/plain", text.getBytes(StandardCharsets.UTF_8));
    }

    public PolicyServer respond(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.location = null;
        return this;
    }

    public PolicyServer redirectTo(String url) {
        respond(302, "text/plain", new byte[0]);
        this.location = url;
        return this;
    }

    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (location != null) exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
