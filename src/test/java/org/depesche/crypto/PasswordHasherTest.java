package org.depesche.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher defaults = new PasswordHasher();
    // Cheap parameters where the test is about logic, not cost.
    private final PasswordHasher cheap = new PasswordHasher(64, 1, 1, 2, new SecureRandom());

    @Test
    void aNewHashIsAPhcArgon2idStringWithTheDefaultParameters() {
        String hash = defaults.hash("correct horse".toCharArray());
        // 16-byte salt and 32-byte hash, base64 without padding, as libargon2 and Dovecot write them.
        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    }

    @Test
    void theRightPasswordVerifiesAndAWrongOneDoesNot() {
        String hash = defaults.hash("correct horse".toCharArray());
        assertThat(defaults.verify("correct horse".toCharArray(), hash)).isTrue();
        assertThat(defaults.verify("correct horsE".toCharArray(), hash)).isFalse();
        assertThat(defaults.verify(new char[0], hash)).isFalse();
    }

    @Test
    void aHashFromTheReferenceImplementationVerifies() {
        // libargon2's own test vector (phc-winner-argon2 test.c): "password", salt "somesalt", m=64 MiB, t=2, p=1.
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertThat(defaults.verify("password".toCharArray(), reference)).isTrue();
        assertThat(defaults.verify("passwort".toCharArray(), reference)).isFalse();
    }

    @Test
    void parametersAreTakenFromTheStoredStringSoTheyCanBeRaisedLater() {
        String old = cheap.hash("pw".toCharArray());
        assertThat(old).startsWith("$argon2id$v=19$m=64,t=1,p=1$");
        assertThat(defaults.verify("pw".toCharArray(), old)).isTrue();
        assertThat(defaults.needsRehash(old)).isTrue();
        assertThat(defaults.needsRehash(defaults.hash("pw".toCharArray()))).isFalse();
    }

    @Test
    void passwordsWithNonAsciiCharactersRoundTrip() {
        char[] pw = "Grüße aus Köln €".toCharArray();
        assertThat(cheap.verify(pw, cheap.hash(pw))).isTrue();
    }

    @Test
    void malformedOrForeignHashStringsNeverVerify() {
        char[] pw = "password".toCharArray();
        assertThat(defaults.verify(pw, null)).isFalse();
        assertThat(defaults.verify(pw, "")).isFalse();
        assertThat(defaults.verify(pw, "{PLAIN}password")).isFalse();
        assertThat(defaults.verify(pw, "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).isFalse();
        assertThat(defaults.verify(pw, "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).isFalse();
        assertThat(defaults.verify(pw, "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).isFalse();
        assertThat(defaults.verify(pw, "$argon2id$v=19$m=65536,t=2,p=1$!!!$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).isFalse();
        // A corrupt entry asking for 4 TiB of memory is refused rather than attempted.
        assertThat(defaults.verify(pw, "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).isFalse();
    }

    @Test
    void manyConcurrentVerificationsAllGiveTheRightAnswer() throws Exception {
        PasswordHasher bounded = new PasswordHasher(1024, 1, 1, 1, new SecureRandom());
        String hash = bounded.hash("pw".toCharArray());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String attempt = i % 2 == 0 ? "pw" : "wrong";
                results.add(pool.submit((Callable<Boolean>) () -> bounded.verify(attempt.toCharArray(), hash)));
            }
            for (int i = 0; i < results.size(); i++) assertThat(results.get(i).get()).isEqualTo(i % 2 == 0);
        }
    }

    @Test
    void generatedPasswordsAreTwentyReadableCharactersAndDiffer() {
        PasswordGenerator generator = new PasswordGenerator();
        String a = new String(generator.generate());
        String b = new String(generator.generate());
        assertThat(a).hasSize(20).matches("[a-km-zA-HJ-NP-Z2-9]{20}");
        assertThat(a).isNotEqualTo(b);
    }
}
