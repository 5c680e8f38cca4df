package org.depesche.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Semaphore;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (base64 without
 * padding, as libargon2 writes them). Each hash needs {@code m} KiB of
 * memory, so the number of hashes computed at once is bounded: a flood of
 * logins queues up instead of exhausting the heap (THREATS T14).
 */
public final class PasswordHasher {
    public static final int DEFAULT_MEMORY_KIB = 19456;
    public static final int DEFAULT_ITERATIONS = 2;
    public static final int DEFAULT_PARALLELISM = 1;

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    // Upper bounds for parameters read from a stored string: a tampered or
    // corrupt directory must not make one login allocate gigabytes.
    private static final int MAX_MEMORY_KIB = 1 << 21;
    private static final int MAX_ITERATIONS = 64;
    private static final int MAX_PARALLELISM = 16;

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final Semaphore permits;
    private final SecureRandom random;

    /** Parameters for new hashes; {@code concurrent} bounds the hashes computed at once. */
    public PasswordHasher(int memoryKib, int iterations, int parallelism, int concurrent, SecureRandom random) {
        if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1 || concurrent < 1)
            throw new IllegalArgumentException("invalid Argon2id parameters");
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.permits = new Semaphore(concurrent, true);
        this.random = random;
    }

    /** Defaults: m=19456 KiB, t=2, p=1, at most 4 hashes at once. */
    public PasswordHasher() {
        this(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, 4, new SecureRandom());
    }

    /** Hashes a password with a fresh random salt. */
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Params p = new Params(memoryKib, iterations, parallelism, salt, null);
        byte[] hash = compute(password, p);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * True if the password matches the PHC string. A string that is not a
     * valid argon2id hash never matches (and is not an exception, so a
     * corrupt entry only locks out its own account).
     */
    public boolean verify(char[] password, String phc) {
        Params p = parse(phc);
        if (p == null) return false;
        byte[] actual = compute(password, p);
        return MessageDigest.isEqual(actual, p.expected);
    }

    /** True if the stored hash uses weaker parameters than new hashes would (rehash on next login). */
    public boolean needsRehash(String phc) {
        Params p = parse(phc);
        return p == null || p.memoryKib < memoryKib || p.iterations < iterations;
    }

    private byte[] compute(char[] password, Params p) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(p.memoryKib)
                .withIterations(p.iterations)
                .withParallelism(p.parallelism)
                .withSalt(p.salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] pw = utf8(password);
        byte[] out = new byte[p.expected == null ? HASH_BYTES : p.expected.length];
        permits.acquireUninterruptibly();
        try {
            generator.generateBytes(pw, out);
        } finally {
            permits.release();
            Arrays.fill(pw, (byte) 0);
        }
        return out;
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer buf = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        if (buf.hasArray()) Arrays.fill(buf.array(), (byte) 0);
        return bytes;
    }

    /** Argon2id inputs; {@code expected} is the stored hash when verifying, null when hashing. */
    private record Params(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] expected) {
    }

    /** Parses "$argon2id$v=19$m=..,t=..,p=..$salt$hash"; null if it is not one. */
    private static Params parse(String phc) {
        if (phc == null) return null;
        String[] parts = phc.split("\\$", -1);
        if (parts.length != 6 || !parts[0].isEmpty() || !parts[1].equals("argon2id") || !parts[2].equals("v=19"))
            return null;
        int m = -1, t = -1, p = -1;
        for (String kv : parts[3].split(",")) {
            int eq = kv.indexOf('=');
            if (eq < 0) return null;
            int value;
            try {
                value = Integer.parseInt(kv.substring(eq + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            switch (kv.substring(0, eq)) {
                case "m" -> m = value;
                case "t" -> t = value;
                case "p" -> p = value;
                default -> { return null; }
            }
        }
        if (p < 1 || p > MAX_PARALLELISM || t < 1 || t > MAX_ITERATIONS || m < 8 * p || m > MAX_MEMORY_KIB) return null;
        try {
            byte[] salt = B64D.decode(parts[4]);
            byte[] hash = B64D.decode(parts[5]);
            if (salt.length < 8 || hash.length < 16) return null;
            return new Params(m, t, p, salt, hash);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
