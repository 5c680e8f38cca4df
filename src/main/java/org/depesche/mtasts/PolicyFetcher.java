package org.depesche.mtasts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * Fetches a domain's policy file (RFC 8461 3.3): HTTPS GET of
 * {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}, with PKIX
 * validation of the server's certificate for that name (the HttpClient's
 * default hostname check, with SNI), no redirects, only status 200 with
 * Content-Type text/plain, a size cap, a timeout on connect and one deadline
 * on the whole fetch: connect, TLS handshake, headers and the last byte of
 * the body. A policy host that sends its headers and then trickles the body,
 * or nothing, is given up at the deadline and its connection closed (THREATS
 * T14; the HttpClient's own request timeout ends with the headers). The TLS
 * trust comes from the given SSLContext (the JDK's default trust store in
 * production, a test CA in tests).
 */
public final class PolicyFetcher {
    /** A policy file is a few lines; anything past this is refused rather than read (RFC 8461 3.3 suggests 64 KB). */
    public static final int MAX_POLICY_BYTES = 64 * 1024;
    /** RFC 8461 3.3: "a suggested timeout is one minute", within which policy hosts SHOULD send the complete body. */
    public static final Duration DEADLINE = Duration.ofMinutes(1);

    private final HttpClient http;
    private final Duration deadline;
    private final Function<String, URI> locator;

    /** The production fetcher: the real policy URL of each domain. */
    public PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration deadline) {
        this(tls, connectTimeout, deadline, PolicyFetcher::policyUri);
    }

    /** {@code locator} maps a policy domain to the URL to fetch (tests point it at a loopback server). */
    public PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration deadline, Function<String, URI> locator) {
        this(tls, connectTimeout, deadline, locator, HttpClient.Builder.NO_PROXY);
    }

    /** Fetches the real policy URLs through an HTTP proxy (CONNECT keeps TLS end to end with the policy host). */
    public PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration deadline, ProxySelector proxy) {
        this(tls, connectTimeout, deadline, PolicyFetcher::policyUri, proxy);
    }

    private PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration deadline, Function<String, URI> locator,
                          ProxySelector proxy) {
        this.http = HttpClient.newBuilder()
                .sslContext(tls)
                .proxy(proxy)
                .followRedirects(HttpClient.Redirect.NEVER) // RFC 8461 3.3: redirects MUST NOT be followed
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.deadline = deadline;
        this.locator = locator;
    }

    /** RFC 8461 3.3: the well-known URL on the host "mta-sts" under the policy domain. */
    public static URI policyUri(String domain) {
        return URI.create("https://mta-sts." + domain + "/.well-known/mta-sts.txt");
    }

    /** How long one fetch may take from start to the last byte of the policy. */
    public Duration deadline() {
        return deadline;
    }

    /**
     * Fetches and parses the policy, within {@link #deadline()}; every refusal
     * is a PolicyException whose reason says what kind and whose message says why.
     */
    public StsPolicy fetch(String domain) throws PolicyException {
        URI uri = locator.apply(domain);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(deadline).GET().build();
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, PolicyBody::of);
        try {
            HttpResponse<byte[]> response = exchange.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
            Optional<PolicyException> refused = refusal(response.statusCode(), response.headers());
            if (refused.isPresent()) throw refused.get();
            return StsPolicy.parse(new String(response.body(), StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            throw deadlinePassed(uri, e);
        } catch (ExecutionException e) {
            throw failure(uri, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException(PolicyException.Reason.INTERRUPTED, "interrupted while fetching the policy", e);
        } finally {
            exchange.cancel(true); // nothing once the body is complete; otherwise the connection is closed
        }
    }

    private PolicyException deadlinePassed(URI uri, Exception cause) {
        return new PolicyException(PolicyException.Reason.DEADLINE, "policy host " + uri.getHost()
                + " did not send the complete policy within " + deadline.toSeconds() + " s (RFC 8461 3.3)", cause);
    }

    private PolicyException failure(URI uri, Throwable cause) {
        if (cause instanceof PolicyException e) return e;
        if (cause instanceof HttpTimeoutException e) return deadlinePassed(uri, e);
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException e)
                return new PolicyException(PolicyException.Reason.CERTIFICATE,
                        "certificate of " + uri.getHost() + " could not be verified: " + e.getMessage(), e);
        }
        return new PolicyException(PolicyException.Reason.UNREACHABLE, "policy host " + uri.getHost() + " unreachable: " + cause, cause);
    }

    /** RFC 8461 3.3: only a 200 of type text/plain is a policy; empty for such an answer. */
    private static Optional<PolicyException> refusal(int status, HttpHeaders headers) {
        if (status != 200)
            return Optional.of(new PolicyException(PolicyException.Reason.REFUSED, "policy host answered HTTP " + status + " (only 200 is accepted)"));
        String type = headers.firstValue("Content-Type").orElse("");
        if (!mediaType(type).equals("text/plain"))
            return Optional.of(new PolicyException(PolicyException.Reason.REFUSED, "policy has content type \"" + type + "\", not text/plain"));
        return Optional.empty();
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The body of an answer that can be a policy, collected up to
     * {@link #MAX_POLICY_BYTES}; one byte more stops the transfer and fails
     * the fetch. The body of any other answer is not read at all.
     */
    private static final class PolicyBody implements HttpResponse.BodySubscriber<byte[]> {
        private final boolean wanted;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        private PolicyBody(boolean wanted) {
            this.wanted = wanted;
        }

        static HttpResponse.BodySubscriber<byte[]> of(HttpResponse.ResponseInfo info) {
            return new PolicyBody(refusal(info.statusCode(), info.headers()).isEmpty());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (wanted) {
                s.request(Long.MAX_VALUE);
            } else {
                s.cancel();
                result.complete(new byte[0]);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) return;
            for (ByteBuffer b : buffers) {
                if (data.size() + b.remaining() > MAX_POLICY_BYTES) {
                    subscription.cancel();
                    result.completeExceptionally(new PolicyException(PolicyException.Reason.REFUSED,
                            "policy is larger than " + MAX_POLICY_BYTES + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                data.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(data.toByteArray());
        }
    }
}
