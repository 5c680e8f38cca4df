package org.depesche.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

import org.depesche.crypto.PasswordHasher;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The directory stores and compares a domain by its one key, so the
 * spelling a domain was added in and the spelling it is asked about do not
 * matter: upper case, U-labels, an alternative dot, a trailing dot.
 */
class DomainSpellingDirectoryTest {
    private static final String[] SPELLINGS = {"b\u00FCcher.test", "B\u00DCCHER.TEST.", "xn--bcher-kva.test",
            "XN--BCHER-KVA.test", "b\u00FCcher\u3002test", "b\u00FCcher\uFF0Etest."};

    @TempDir
    Path data;

    private FileDirectory directory() throws Exception {
        return new FileDirectory(data.resolve("directory.json"), Clock.systemUTC(),
                new PasswordHasher(64, 1, 1, 4, new SecureRandom()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"b\u00FCcher.test", "B\u00DCCHER.TEST.", "xn--bcher-kva.test", "b\u00FCcher\uFF61test"})
    void aDomainAddedInOneSpellingIsLocalInEveryOtherAndStoredAsItsKey(String added) throws Exception {
        FileDirectory dir = directory();
        dir.addDomain(added);
        assertThat(dir.domains()).containsExactly("xn--bcher-kva.test");
        for (String asked : SPELLINGS) assertThat(dir.isLocalDomain(asked)).as(asked).isTrue();
        assertThat(dir.isLocalDomain("bucher.test")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice@b\u00FCcher.test", "Alice@B\u00DCCHER.TEST.", "alice@xn--bcher-kva.test"})
    void anAccountAndTheSecureAliasDomainAnswerForEverySpelling(String added) throws Exception {
        FileDirectory dir = directory();
        dir.addDomain("b\u00FCcher.test");
        dir.addUser(added, "pw".toCharArray());
        dir.setSecureDomain("B\u00DCCHER.test.", "Secure.B\u00FCcher\u3002test");
        MailAddress account = MailAddress.parse("alice@xn--bcher-kva.test");
        for (String domain : SPELLINGS) {
            assertThat(dir.resolve(MailAddress.parse("alice@" + domain))).as(domain).containsExactly(account);
            assertThat(dir.isLocalDomain("secure." + domain)).as(domain).isTrue();
            assertThat(dir.requiredTls(MailAddress.parse("alice@SECURE." + domain))).as(domain)
                    .contains(Directory.Strictness.VERIFY);
            assertThat(dir.resolve(MailAddress.parse("alice@secure." + domain))).as(domain).containsExactly(account);
        }
    }
}
