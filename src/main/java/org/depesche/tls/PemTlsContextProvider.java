package org.depesche.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS identity from a PEM certificate chain and key. {@link #current()}
 * looks at the files' modification times at most once per reload interval
 * and builds a new context when they changed; connections already open keep
 * the context they started with. A new file that cannot be used (say the
 * certificate was replaced but the key not yet) is logged and the old
 * identity stays in service.
 */
public final class PemTlsContextProvider implements TlsContextProvider {
    private static final Logger log = LoggerFactory.getLogger(PemTlsContextProvider.class);

    static {
        JsseSettings.apply(); // before this class can wrap the first server socket
    }

    /** RFC 8996 deprecates TLS 1.0 and 1.1; RFC 9325 4.1. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * In order of preference. TLS 1.3 suites, then RFC 9325 4.2's TLS 1.2
     * recommendations: ECDHE (forward secrecy) with AES-GCM, plus
     * CHACHA20-POLY1305 for hosts without AES instructions.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final Path certFile;
    private final Path keyFile;
    private final Duration reloadInterval;
    private final Clock clock;
    private final Object lock = new Object();

    private record Loaded(SSLContext context, List<X509Certificate> chain, String[] suites) {
    }

    /** What the files looked like when last read; any difference means "reload". */
    private record Stamp(Object certKey, Instant certTime, long certSize, Object keyKey, Instant keyTime, long keySize) {
    }

    private volatile Loaded loaded;
    private Stamp lastSeen;          // guarded by lock: also stamps of files that failed to load
    private volatile Instant nextCheck; // written under lock

    /** Loads the files now; a missing, unreadable or mismatched file is a {@link TlsConfigException}. */
    public PemTlsContextProvider(Path certFile, Path keyFile, Duration reloadInterval, Clock clock) throws IOException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.reloadInterval = reloadInterval;
        this.clock = clock;
        Stamp stamp = stamp();
        this.loaded = load();
        this.lastSeen = stamp;
        this.nextCheck = clock.instant().plus(reloadInterval);
        log.info("tls=loaded cert={} subject=\"{}\" notAfter={}", certFile,
                loaded.chain.get(0).getSubjectX500Principal().getName(), loaded.chain.get(0).getNotAfter().toInstant());
    }

    @Override
    public SSLContext current() {
        reloadIfChanged();
        return loaded.context;
    }

    @Override
    public List<X509Certificate> chain() {
        reloadIfChanged();
        return loaded.chain;
    }

    @Override
    public SSLSocket wrapServer(Socket plain) throws IOException {
        reloadIfChanged();
        Loaded current = loaded;
        SSLSocket socket = (SSLSocket) current.context.getSocketFactory()
                .createSocket(plain, null, plain.getPort(), true);
        socket.setUseClientMode(false);
        socket.setSSLParameters(parameters(current));
        return socket;
    }

    private SSLParameters parameters(Loaded current) {
        SSLParameters params = new SSLParameters();
        params.setProtocols(PROTOCOLS.toArray(String[]::new));
        params.setCipherSuites(current.suites);
        params.setUseCipherSuitesOrder(true);
        params.setNeedClientAuth(false);
        params.setWantClientAuth(false);
        return params;
    }

    private void reloadIfChanged() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) return; // the common case: no lock per handshake
        synchronized (lock) {
            if (now.isBefore(nextCheck)) return;
            nextCheck = now.plus(reloadInterval);
            Stamp stamp;
            try {
                stamp = stamp();
            } catch (IOException e) {
                log.warn("tls=reload-failed cert={} error=\"{}\" keeping=previous", certFile, e.getMessage());
                return;
            }
            if (stamp.equals(lastSeen)) return;
            lastSeen = stamp;
            try {
                loaded = load();
                log.info("tls=reloaded cert={} notAfter={}", certFile, loaded.chain.get(0).getNotAfter().toInstant());
            } catch (IOException e) {
                log.warn("tls=reload-failed error=\"{}\" keeping=previous", e.getMessage());
            }
        }
    }

    private Stamp stamp() throws IOException {
        BasicFileAttributes cert = attributes(certFile);
        BasicFileAttributes key = attributes(keyFile);
        return new Stamp(cert.fileKey(), cert.lastModifiedTime().toInstant(), cert.size(),
                key.fileKey(), key.lastModifiedTime().toInstant(), key.size());
    }

    private static BasicFileAttributes attributes(Path file) throws TlsConfigException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw PemFiles.unreadable(file, e);
        }
    }

    private Loaded load() throws IOException {
        PemFiles.Identity identity = PemFiles.load(certFile, keyFile);
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", identity.key(), password, identity.chain().toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new Loaded(context, identity.chain(), supportedSuites(context));
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(certFile + ": cannot build a TLS context (" + e.getMessage() + ")", e);
        }
    }

    /** Our suites in our order, minus any this JDK lacks. */
    private static String[] supportedSuites(SSLContext context) {
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        return CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
    }

    @Override
    public String toString() {
        return "PemTlsContextProvider[" + certFile + ", " + keyFile + ", suites=" + Arrays.toString(loaded.suites) + "]";
    }
}
