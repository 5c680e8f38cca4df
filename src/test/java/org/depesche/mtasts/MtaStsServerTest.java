package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.depesche.config.Config;
import org.depesche.config.HostPort;
import org.depesche.tls.PemTlsContextProvider;
import org.depesche.testsupport.ConnectProxy;
import org.depesche.testsupport.PolicyServer;
import org.depesche.testsupport.TestPki;

class MtaStsServerTest {
    @TempDir
    Path dir;
    TestPki.Identity ca;
    SSLContext trust;
    MtaStsServer server;
    ConnectProxy proxy;
    final PublishedPolicy published = new PublishedPolicy(
            new StsPolicy(StsPolicy.Mode.ENFORCE, List.of("mx.example.org"), 604800), "abc");

    @BeforeEach
    void start() throws Exception {
        ca = TestPki.ca("Test CA");
        trust = PolicyServer.clientTrusting(ca);
        TestPki.writePem(TestPki.leaf(ca, "mx.example.org", "mta-sts.example.org", "mta-sts.other.example"),
                dir.resolve("cert.pem"), dir.resolve("key.pem"));
        PemTlsContextProvider tls = new PemTlsContextProvider(dir.resolve("cert.pem"), dir.resolve("key.pem"),
                Duration.ofSeconds(10), Clock.systemUTC());
        server = new MtaStsServer(new HostPort("127.0.0.1", 0), published, Set.of("example.org")::contains, tls);
        server.start();
        proxy = new ConnectProxy();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        proxy.close();
    }

    private HttpResponse<String> get(String host, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).proxy(proxy.selector())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("https://" + host + ":" + server.address().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePolicyOfALocalDomainIsServedAsTextPlainOverValidatedTls() throws Exception {
        HttpResponse<String> r = get("mta-sts.example.org", MtaStsServer.PATH);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain");
        assertThat(StsPolicy.parse(r.body())).isEqualTo(published.policy());
        assertThat(proxy.targets()).containsExactly("mta-sts.example.org:" + server.address().getPort());
    }

    @Test
    void ourOwnFetcherFetchesTheServedPolicyFromItsRealUrl() throws Exception {
        try (ConnectProxy to443 = new ConnectProxy(server.address().getPort())) {
            PolicyFetcher fetcher = new PolicyFetcher(trust, Duration.ofSeconds(5), Duration.ofSeconds(5), to443.selector());
            assertThat(fetcher.fetch("example.org")).isEqualTo(published.policy());
            assertThat(to443.targets()).containsExactly("mta-sts.example.org:443");
        }
    }

    @Test
    void aDomainThatIsNotLocalGets404() throws Exception {
        HttpResponse<String> r = get("mta-sts.other.example", MtaStsServer.PATH);
        assertThat(r.statusCode()).isEqualTo(404);
    }

    @Test
    void anotherPathGets404() throws Exception {
        assertThat(get("mta-sts.example.org", "/index.html").statusCode()).isEqualTo(404);
    }

    @Test
    void theHostNameMustStartWithMtaSts() {
        assertThat(MtaStsServer.policyDomain("mta-sts.example.org:443")).isEqualTo("example.org");
        assertThat(MtaStsServer.policyDomain("MTA-STS.Example.ORG.")).isEqualTo("example.org");
        assertThat(MtaStsServer.policyDomain("mx.example.org")).isNull();
        assertThat(MtaStsServer.policyDomain("mta-sts.")).isNull();
        assertThat(MtaStsServer.policyDomain(null)).isNull();
    }

    @Test
    void theHostNameGivesTheDomainInEverySpellingAsItsKey() {
        assertThat(MtaStsServer.policyDomain("mta-sts.b\u00FCcher.test")).isEqualTo("xn--bcher-kva.test");
        assertThat(MtaStsServer.policyDomain("MTA-STS.XN--BCHER-KVA.TEST.:443")).isEqualTo("xn--bcher-kva.test");
        assertThat(MtaStsServer.policyDomain("mta-sts.ev_il.test")).isNull();
    }

    @Test
    void thePublishedMxPatternsAreLowerCaseALabelsHoweverTheConfigurationSpellsThem() throws Exception {
        // RFC 8461 3.2: the policy's mx values are ASCII domain names (RFC 5321 Domain); a U-label hostname
        // was published as written, which no receiver's parser (ours included) accepts.
        Config base = Config.defaults();
        Config unicode = base.toBuilder().hostname("MX.B\u00FCcher.test.").build();
        Config patterns = base.toBuilder()
                .mtaSts(new Config.MtaSts("", "enforce", List.of("*.B\u00FCcher.test", "MX.Example.ORG."), null)).build();
        assertThat(PublishedPolicy.from(unicode).policy().mx()).containsExactly("mx.xn--bcher-kva.test");
        assertThat(PublishedPolicy.from(patterns).policy().mx()).containsExactly("*.xn--bcher-kva.test", "mx.example.org");
        for (Config c : List.of(unicode, patterns)) {
            PublishedPolicy p = PublishedPolicy.from(c);
            assertThat(StsPolicy.parse(p.policy().toText())).isEqualTo(p.policy());
        }
    }

    @Test
    void thePolicyIdChangesWheneverThePolicyDoes() {
        Config base = Config.defaults();
        Config other = base.toBuilder().mtaSts(new Config.MtaSts("", "enforce", List.of("mx.example.org"), null)).build();
        PublishedPolicy a = PublishedPolicy.from(base);
        PublishedPolicy b = PublishedPolicy.from(other);
        assertThat(a.policy().mode()).isEqualTo(StsPolicy.Mode.TESTING);
        assertThat(a.policy().mx()).containsExactly("localhost");
        assertThat(b.policy().mx()).containsExactly("mx.example.org");
        assertThat(a.id()).isNotEqualTo(b.id()).matches("[0-9a-f]{32}");
        assertThat(PublishedPolicy.from(other).id()).isEqualTo(b.id());
        assertThat(StsRecord.select(List.of(b.record().toText()))).contains(b.record());
    }
}
