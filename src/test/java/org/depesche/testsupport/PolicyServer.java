package org.depesche.testsupport;

import org.depesche.mtasts.PolicyFetcher;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;


/**
 * A policy host on loopback for tests: real HTTPS with a certificate from
 * TestPki, answering every request with what the test set last, or (THREATS
 * T14) sending the headers and then the body slowly or not at all.
 */
public final class PolicyServer implements AutoCloseable {
    private final HttpsServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int status = 200;
    private volatile String contentType = "text/plain";
    private volatile byte[] body = new byte[0];
    private volatile String location;
    /** Null: the body at once; otherwise one byte of it every this often. */
    private volatile Duration trickle;
    private volatile boolean stall;
    /** Released by close(): a stalled or trickling answer ends then. */
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger abandoned = new AtomicInteger();
    /** One thread per exchange: a stalled answer must not hold up the next request. */
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();

    public PolicyServer(TestPki.Identity identity) throws Exception {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(TestPki.serverContext(identity)));
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
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
        return fetcher(trust, Duration.ofSeconds(5));
    }

    /** The same with {@code deadline} for the whole fetch. */
    public PolicyFetcher fetcher(SSLContext trust, Duration deadline) {
        int port = server.getAddress().getPort();
        return new PolicyFetcher(trust, Duration.ofSeconds(5), deadline,
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
        this.trickle = null;
        this.stall = false;
        return this;
    }

    /** Headers for {@code text}, then one byte of it every {@code every}: a slowloris policy host. */
    public PolicyServer trickle(String text, Duration every) {
        serve(text);
        this.trickle = every;
        return this;
    }

    /** Headers for {@code text}, then not a byte of it until this server is closed. */
    public PolicyServer stallAfterHeaders(String text) {
        serve(text);
        this.stall = true;
        return this;
    }

    /** Answers that stopped because the client closed the connection in the middle of the body. */
    public int abandoned() {
        return abandoned.get();
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
        OutputStream out = exchange.getResponseBody();
        try {
            if (stall) {
                out.flush();
                closed.await();
            } else if (trickle != null) {
                trickle(out);
            } else {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close(); // an unfinished body: the connection is closed
        }
    }

    private void trickle(OutputStream out) throws InterruptedException {
        try {
            for (int i = 0; i < body.length && !closed.await(trickle.toMillis(), TimeUnit.MILLISECONDS); i++) {
                out.write(body[i]);
                out.flush();
            }
        } catch (IOException e) {
            abandoned.incrementAndGet();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }
}
