package org.depesche.crypto;

import java.security.SecureRandom;

/**
 * Random passwords meant to be read off a terminal and typed: 20 characters
 * from an alphabet without look-alikes (no 0/O, 1/l/I), about 115 bits.
 */
public final class PasswordGenerator {
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    public static final int DEFAULT_LENGTH = 20;

    private final SecureRandom random;

    public PasswordGenerator(SecureRandom random) {
        this.random = random;
    }

    public PasswordGenerator() {
        this(new SecureRandom());
    }

    public char[] generate() {
        return generate(DEFAULT_LENGTH);
    }

    public char[] generate(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) out[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        return out;
    }
}
