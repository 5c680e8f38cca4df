package org.depesche.mtasts;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * Fetches a domain's policy file (RFC 8461 3.3): HTTPS GET of
 * {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}, with PKIX
 * validation of the server's certificate for that name (the HttpClient's
 * default hostname check, with SNI), no redirects, only status 200 with
 * Content-Type text/plain, a size cap and timeouts on connect and on the whole
 * request. The TLS trust comes from the given SSLContext (the JDK's default
 * trust store in production, a test CA in tests).
 */
public final class PolicyFetcher {
    /** A policy file is a few lines; anything past this is refused rather than read. */
    public static final int MAX_POLICY_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Duration requestTimeout;
    private final Function<String, URI> locator;

    /** The production fetcher: the real policy URL of each domain. */
    public PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration requestTimeout) {
        this(tls, connectTimeout, requestTimeout, PolicyFetcher::policyUri);
    }

    /** {@code locator} maps a policy domain to the URL to fetch (tests point it at a loopback server). */
    public PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration requestTimeout, Function<String, URI> locator) {
        this(tls, connectTimeout, requestTimeout, locator, HttpClient.Builder.NO_PROXY);
    }

    /** Fetches the real policy URLs through an HTTP proxy (CONNECT keeps TLS end to end with the policy host). */
    public PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration requestTimeout, ProxySelector proxy) {
        this(tls, connectTimeout, requestTimeout, PolicyFetcher::policyUri, proxy);
    }

    private PolicyFetcher(SSLContext tls, Duration connectTimeout, Duration requestTimeout, Function<String, URI> locator,
                          ProxySelector proxy) {
        this.http = HttpClient.newBuilder()
                .sslContext(tls)
                .proxy(proxy)
                .followRedirects(HttpClient.Redirect.NEVER) // RFC 8461 3.3: redirects MUST NOT be followed
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.requestTimeout = requestTimeout;
        this.locator = locator;
    }

    /** RFC 8461 3.3: the well-known URL on the host "mta-sts" under the policy domain. */
    public static URI policyUri(String domain) {
        return URI.create("https://mta-sts." + domain + "/.well-known/mta-sts.txt");
    }

    /** Fetches and parses the policy; every refusal is a PolicyException that says why. */
    public StsPolicy fetch(String domain) throws PolicyException {
        URI uri = locator.apply(domain);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200)
                    throw new PolicyException("policy host answered HTTP " + response.statusCode() + " (only 200 is accepted)");
                String type = response.headers().firstValue("Content-Type").orElse("");
                if (!mediaType(type).equals("text/plain"))
                    throw new PolicyException("policy has content type \"" + type + "\", not text/plain");
                return StsPolicy.parse(readCapped(body));
            }
        } catch (HttpTimeoutException e) {
            throw new PolicyException("policy host " + uri.getHost() + " timed out", e);
        } catch (SSLHandshakeException e) {
            throw new PolicyException("certificate of " + uri.getHost() + " could not be verified: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new PolicyException("policy host " + uri.getHost() + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException("interrupted while fetching the policy", e);
        }
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    private static String readCapped(InputStream in) throws IOException, PolicyException {
        byte[] data = in.readNBytes(MAX_POLICY_BYTES + 1);
        if (data.length > MAX_POLICY_BYTES) throw new PolicyException("policy is larger than " + MAX_POLICY_BYTES + " bytes");
        return new String(data, StandardCharsets.UTF_8);
    }
}
