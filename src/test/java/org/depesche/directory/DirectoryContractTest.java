package org.depesche.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.depesche.configfile.ConfigLoader;
import org.depesche.directory.Directory.Account;
import org.depesche.directory.Directory.Strictness;
import org.depesche.directory.DirectoryAdmin.AccountInfo;
import org.depesche.mail.MailAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every directory backend answers and how every change reads back: the
 * routing rules (accounts, aliases, {@code +tag}, postmaster@, secure alias
 * domains, the [secure] entries of depesche.toml), logins, and each write of
 * {@link DirectoryAdmin}. One subclass per backend, so they cannot drift.
 */
abstract class DirectoryContractTest {
    /** The [secure] section the overlay tests lay over the content. */
    private static final String TOML = """
            [[secure.domain]]
            domain = "example.org"
            alias = "secure.example.org"

            [[secure.address]]
            address = "sales@example.org"

            [[secure.address]]
            address = "alice@secure.example.org"
            strictness = "encrypt"

            [[secure.account]]
            address = "bob@example.org"
            send_authenticated_only = false
            """;

    @TempDir
    Path temp;
    DirectoryAdmin dir;

    /** An empty directory of the backend, stored under {@code temp} if it stores anything there. */
    abstract DirectoryAdmin create() throws Exception;

    /** A directory over the same stored content as {@code dir}, with {@code configured} laid over it, as after a restart. */
    abstract DirectoryAdmin reopen(DirectoryAdmin dir, SecureSettings configured) throws Exception;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = create();
    }

    private static MailAddress a(String s) {
        return MailAddress.parse(s);
    }

    private List<String> resolve(String address) {
        return dir.resolve(a(address)).stream().map(MailAddress::toString).toList();
    }

    private Optional<Strictness> required(String address) {
        return dir.requiredTls(a(address));
    }

    /** Two domains, the first example.org; alice and Bob there, carol in example.net. */
    private void twoDomains() throws Exception {
        dir.addDomain("example.org");
        dir.addDomain("Example.NET");
        dir.addUser("alice@example.org", "alice-pw".toCharArray());
        dir.addUser("Bob@example.org", "bob-pw".toCharArray());
        dir.addUser("carol@example.net", "carol-pw".toCharArray());
    }

    /** example.org with alice and bob, and sales@ delivering to both. */
    private void salesTeam() throws Exception {
        dir.addDomain("example.org");
        dir.addUser("alice@example.org", "alice-pw".toCharArray());
        dir.addUser("bob@example.org", "bob-pw".toCharArray());
        dir.addAlias("sales@example.org", List.of("alice@example.org", "bob@example.org"));
    }

    /** {@link #TOML} as the config loader hands it to the directory. */
    private SecureSettings configured(String toml) throws Exception {
        Path file = temp.resolve("depesche.toml");
        Files.writeString(file, toml);
        return SecureSettings.from(ConfigLoader.load(file).secure());
    }

    // ---- domains ----

    @Test
    void anAddedDomainIsLocalInEverySpellingAndListedByItsKey() throws Exception {
        dir.addDomain("Bücher.Example.");
        assertThat(dir.domains()).containsExactly("xn--bcher-kva.example");
        assertThat(dir.isLocalDomain("BÜCHER.example")).isTrue();
        assertThat(dir.isLocalDomain("xn--bcher-kva.example")).isTrue();
        assertThat(dir.isLocalDomain("xn--bcher-kva.example.")).isTrue();
        assertThat(dir.isLocalDomain("example.com")).isFalse();
        assertThat(dir.isLocalDomain("bad_domain!")).isFalse();
        assertThat(dir.isLocalDomain(null)).isFalse();
        assertThatThrownBy(() -> dir.addDomain("xn--bcher-kva.example")).hasMessage("domain xn--bcher-kva.example already exists");
    }

    @Test
    void anAccountInAnIdnDomainIsOneAddressWhetherTheDomainIsWrittenInULabelsOrALabels() throws Exception {
        dir.addDomain("bücher.example");
        dir.addUser("Anna@BÜCHER.example", "pw".toCharArray());
        assertThat(dir.accounts()).extracting(AccountInfo::address).containsExactly("anna@xn--bcher-kva.example");
        assertThat(resolve("anna@xn--bcher-kva.example")).containsExactly("anna@xn--bcher-kva.example");
        assertThat(resolve("ANNA@bücher.example")).containsExactly("anna@xn--bcher-kva.example");
        assertThat(dir.authenticate("anna@bücher.example", "pw".toCharArray())).isPresent();
    }

    @Test
    void anEmptyDomainCanBeDeletedAndIsNoLongerLocal() throws Exception {
        twoDomains();
        dir.addDomain("spare.example");
        assertThat(dir.domains()).containsExactly("example.org", "example.net", "spare.example");
        dir.removeDomain("SPARE.example");
        assertThat(dir.domains()).containsExactly("example.org", "example.net");
        assertThat(dir.isLocalDomain("spare.example")).isFalse();
    }

    @Test
    void anEmptyDirectoryHasNoLocalDomainAndNoPostmaster() {
        assertThat(dir.domains()).isEmpty();
        assertThat(dir.isLocalDomain("example.org")).isFalse();
        assertThat(dir.resolve(a("postmaster@example.org"))).isEmpty();
        assertThat(dir.postmasterAddress()).isEmpty();
    }

    // ---- accounts, aliases, +tag, postmaster ----

    @Test
    void anAccountResolvesToItselfWhateverTheCaseOfTheLocalPartAndDomain() throws Exception {
        twoDomains();
        assertThat(resolve("alice@example.org")).containsExactly("alice@example.org");
        assertThat(resolve("ALICE@Example.Org")).containsExactly("alice@example.org");
        assertThat(resolve("bob@example.org")).containsExactly("bob@example.org");
        assertThat(dir.isLocalDomain("EXAMPLE.net")).isTrue();
        assertThat(dir.isLocalDomain("example.com")).isFalse();
    }

    @Test
    void anAddedAccountIsListedEnabledInCreationOrderUnderItsFoldedAddress() throws Exception {
        twoDomains();
        assertThat(dir.accounts()).containsExactly(new AccountInfo("alice@example.org", true),
                new AccountInfo("bob@example.org", true), new AccountInfo("carol@example.net", true));
    }

    @Test
    void unknownAddressesAndRemoteDomainsResolveToNothing() throws Exception {
        twoDomains();
        assertThat(resolve("nobody@example.org")).isEmpty();
        assertThat(resolve("alice@example.com")).isEmpty();
        assertThat(resolve("alice@example.net")).isEmpty();
    }

    @Test
    void anAliasResolvesToEachOfItsTargets() throws Exception {
        twoDomains();
        dir.addAlias("team@example.org", List.of("alice@example.org", "carol@example.net"));
        assertThat(resolve("Team@example.org")).containsExactly("alice@example.org", "carol@example.net");
        assertThat(dir.aliases()).containsExactly(Map.entry("team@example.org", List.of("alice@example.org", "carol@example.net")));
    }

    @Test
    void addingToAnExistingAliasMergesTheTargets() throws Exception {
        twoDomains();
        dir.addAlias("team@example.org", List.of("alice@example.org"));
        dir.addAlias("team@example.org", List.of("bob@example.org", "Alice@example.org"));
        assertThat(dir.aliases()).containsEntry("team@example.org", List.of("alice@example.org", "bob@example.org"));
        assertThat(resolve("team@example.org")).containsExactly("alice@example.org", "bob@example.org");
    }

    @Test
    void aliasesDoNotChainAnAliasCannotBeATarget() throws Exception {
        twoDomains();
        dir.addAlias("team@example.org", List.of("alice@example.org"));
        assertThatThrownBy(() -> dir.addAlias("all@example.org", List.of("team@example.org")))
                .isInstanceOf(DirectoryException.class)
                .hasMessage("alias target team@example.org is not a local account (remote targets are not supported yet)");
        assertThatThrownBy(() -> dir.addUser("team@example.org", "pw".toCharArray()))
                .hasMessage("team@example.org is an alias; delete the alias first");
        assertThat(resolve("all@example.org")).isEmpty();
    }

    @Test
    void plusAddressingResolvesLikeTheAddressWithoutTheTag() throws Exception {
        twoDomains();
        dir.addAlias("team@example.org", List.of("bob@example.org"));
        assertThat(resolve("alice+lists@example.org")).containsExactly("alice@example.org");
        assertThat(resolve("Alice+Lists+more@example.org")).containsExactly("alice@example.org");
        assertThat(resolve("team+x@example.org")).containsExactly("bob@example.org");
        assertThat(resolve("nobody+x@example.org")).isEmpty();
        assertThat(resolve("+x@example.org")).isEmpty();
    }

    @Test
    void postmasterOfEveryDomainGoesToThePostmasterOfTheFirstDomain() throws Exception {
        twoDomains();
        dir.addAlias("postmaster@example.org", List.of("bob@example.org"));
        assertThat(resolve("postmaster@example.org")).containsExactly("bob@example.org");
        assertThat(resolve("PostMaster@example.net")).containsExactly("bob@example.org");
        assertThat(resolve("postmaster+dmarc@example.net")).containsExactly("bob@example.org");
    }

    @Test
    void aDomainsOwnPostmasterAliasWinsOverTheFirstDomains() throws Exception {
        twoDomains();
        dir.addAlias("postmaster@example.org", List.of("bob@example.org"));
        dir.addAlias("postmaster@example.net", List.of("carol@example.net"));
        assertThat(resolve("postmaster@example.net")).containsExactly("carol@example.net");
    }

    @Test
    void withoutAnyPostmasterAliasPostmasterGoesToTheFirstAccountCreated() throws Exception {
        twoDomains();
        assertThat(resolve("postmaster@example.net")).containsExactly("alice@example.org");
        assertThat(resolve("postmaster@example.com")).isEmpty();
    }

    @Test
    void theBarePostmasterIsPostmasterOfTheFirstDomainAndReachesWhoeverAnswersForIt() throws Exception {
        twoDomains();
        assertThat(dir.postmasterAddress()).contains(a("postmaster@example.org"));
        assertThat(dir.resolve(dir.postmasterAddress().orElseThrow())).containsExactly(a("alice@example.org"));
        dir.addAlias("postmaster@example.org", List.of("carol@example.net"));
        assertThat(dir.resolve(dir.postmasterAddress().orElseThrow())).containsExactly(a("carol@example.net"));
    }

    // ---- logins and senders ----

    @Test
    void theRightPasswordLogsInWhateverTheCaseOfTheLogin() throws Exception {
        twoDomains();
        assertThat(dir.authenticate("alice@example.org", "alice-pw".toCharArray())).contains(new Account(a("alice@example.org")));
        assertThat(dir.authenticate("BOB@example.org", "bob-pw".toCharArray())).contains(new Account(a("bob@example.org")));
    }

    @Test
    void aWrongPasswordAnUnknownLoginOrGarbageDoNotLogIn() throws Exception {
        twoDomains();
        assertThat(dir.authenticate("alice@example.org", "bob-pw".toCharArray())).isEmpty();
        assertThat(dir.authenticate("nobody@example.org", "alice-pw".toCharArray())).isEmpty();
        assertThat(dir.authenticate("not an address", "x".toCharArray())).isEmpty();
        assertThat(dir.authenticate("alice+tag@example.org", "alice-pw".toCharArray())).isEmpty();
    }

    @Test
    void aChangedPasswordReplacesTheOldOne() throws Exception {
        twoDomains();
        dir.setPassword("Alice@example.org", "new-pw".toCharArray());
        assertThat(dir.authenticate("alice@example.org", "alice-pw".toCharArray())).isEmpty();
        assertThat(dir.authenticate("alice@example.org", "new-pw".toCharArray())).isPresent();
    }

    @Test
    void anAccountMaySendAsItselfItsAliasesAndTheirTaggedForms() throws Exception {
        twoDomains();
        dir.addAlias("team@example.org", List.of("alice@example.org", "bob@example.org"));
        dir.addAlias("sales@example.net", List.of("carol@example.net"));
        Account alice = new Account(a("alice@example.org"));
        assertThat(dir.mayUseAddress(alice, a("alice@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("Alice+news@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("team@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("team+x@example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("bob@example.org"))).isFalse();
        assertThat(dir.mayUseAddress(alice, a("sales@example.net"))).isFalse();
        assertThat(dir.mayUseAddress(alice, a("alice@example.net"))).isFalse();
        assertThat(dir.mayUseAddress(alice, a("alice@gmail.com"))).isFalse();
        assertThat(dir.mayUseAddress(new Account(a("gone@example.org")), a("gone@example.org"))).isFalse();
    }

    // ---- deletions and refusals ----

    @Test
    void deletingAnAccountRemovesItFromAliasesAndDropsAliasesLeftEmpty() throws Exception {
        twoDomains();
        dir.addAlias("team@example.org", List.of("alice@example.org", "bob@example.org"));
        dir.addAlias("solo@example.org", List.of("alice@example.org"));
        dir.removeUser("Alice@example.org");
        assertThat(resolve("alice@example.org")).isEmpty();
        assertThat(dir.authenticate("alice@example.org", "alice-pw".toCharArray())).isEmpty();
        assertThat(dir.aliases()).containsOnlyKeys("team@example.org");
        assertThat(dir.aliases().get("team@example.org")).containsExactly("bob@example.org");
    }

    @Test
    void aDeletedAliasResolvesToNothing() throws Exception {
        twoDomains();
        dir.addAlias("team@example.org", List.of("alice@example.org"));
        dir.removeAlias("TEAM@example.org");
        assertThat(resolve("team@example.org")).isEmpty();
        assertThat(dir.aliases()).isEmpty();
    }

    @Test
    void changesThatMakeNoSenseAreRefusedWithOneLineSayingWhy() throws Exception {
        twoDomains();
        assertThatThrownBy(() -> dir.addUser("dave@example.com", "pw".toCharArray()))
                .isInstanceOf(DirectoryException.class)
                .hasMessage("domain example.com is not a local domain; add it first: depesche domain add example.com");
        assertThatThrownBy(() -> dir.addUser("ALICE@example.org", "pw".toCharArray()))
                .hasMessage("account alice@example.org already exists");
        assertThatThrownBy(() -> dir.addUser("dave+x@example.org", "pw".toCharArray()))
                .hasMessageStartingWith("'+' is reserved for subaddresses");
        assertThatThrownBy(() -> dir.addUser("../etc@example.org", "pw".toCharArray()))
                .isInstanceOf(DirectoryException.class);
        assertThatThrownBy(() -> dir.addUser("a/b@example.org", "pw".toCharArray()))
                .hasMessageStartingWith("use only letters, digits");
        assertThatThrownBy(() -> dir.addUser("dave@example.org", new char[0]))
                .hasMessage("the password is empty");
        assertThatThrownBy(() -> dir.addUser("not an address", "pw".toCharArray()))
                .hasMessageStartingWith("not a valid address: not an address (");
        assertThatThrownBy(() -> dir.addDomain("example.org")).hasMessage("domain example.org already exists");
        assertThatThrownBy(() -> dir.addDomain("bad_domain!")).hasMessage("not a valid domain name: bad_domain! (a character not allowed in a domain name)");
        assertThatThrownBy(() -> dir.removeDomain("example.net"))
                .hasMessage("domain example.net still has 1 account(s) and 0 alias(es); delete them first");
        assertThatThrownBy(() -> dir.removeDomain("example.com")).hasMessage("no such domain: example.com");
        assertThatThrownBy(() -> dir.addAlias("x@example.org", List.of("nobody@example.org")))
                .hasMessage("alias target nobody@example.org is not a local account (remote targets are not supported yet)");
        assertThatThrownBy(() -> dir.addAlias("x@example.org", List.of())).hasMessage("an alias needs at least one target account");
        assertThatThrownBy(() -> dir.addAlias("bob@example.org", List.of("alice@example.org")))
                .hasMessage("bob@example.org is an account; an alias cannot have its name");
        assertThatThrownBy(() -> dir.removeAlias("x@example.org")).hasMessage("no such alias: x@example.org");
        assertThatThrownBy(() -> dir.setPassword("x@example.org", "pw".toCharArray())).hasMessage("no such account: x@example.org");
        assertThatThrownBy(() -> dir.removeUser("x@example.org")).hasMessage("no such account: x@example.org");
        assertThat(dir.accounts()).hasSize(3);
        assertThat(dir.aliases()).isEmpty();
    }

    // ---- secure alias domains, secure addresses, account switches (THREATS T2b) ----

    @Test
    void aSecureAliasDomainIsLocalAndReachesTheSameMailboxesButOnlyOverTls() throws Exception {
        salesTeam();
        dir.setSecureDomain("example.org", "Secure.Example.org");
        assertThat(dir.isLocalDomain("secure.example.org")).isTrue();
        assertThat(dir.resolve(a("Alice@secure.example.org"))).containsExactly(a("alice@example.org"));
        assertThat(dir.resolve(a("alice+news@secure.example.org"))).containsExactly(a("alice@example.org"));
        assertThat(dir.resolve(a("sales@secure.example.org"))).containsExactly(a("alice@example.org"), a("bob@example.org"));
        assertThat(dir.resolve(a("nobody@secure.example.org"))).isEmpty();
        assertThat(required("alice@secure.example.org")).contains(Strictness.VERIFY);
        assertThat(required("alice@example.org")).isEmpty();
        assertThat(dir.secureDomains()).containsExactly(Map.entry("example.org", "secure.example.org"));
        assertThat(dir.secureAliasDomains()).containsExactly(Map.entry("example.org", List.of("secure.example.org")));
    }

    @Test
    void aSecureAliasDomainInULabelsIsStoredAndMatchedByItsALabels() throws Exception {
        salesTeam();
        dir.setSecureDomain("example.org", "sicher.bücher.example");
        assertThat(dir.secureDomains()).containsExactly(Map.entry("example.org", "sicher.xn--bcher-kva.example"));
        assertThat(dir.resolve(a("alice@sicher.xn--bcher-kva.example"))).containsExactly(a("alice@example.org"));
        assertThat(required("alice@SICHER.bücher.example")).contains(Strictness.VERIFY);
    }

    @Test
    void aSecondSecureAliasDomainReplacesTheFirst() throws Exception {
        salesTeam();
        dir.setSecureDomain("example.org", "secure.example.org");
        dir.setSecureDomain("example.org", "tls.example.org");
        assertThat(dir.secureDomains()).containsExactly(Map.entry("example.org", "tls.example.org"));
        assertThat(dir.isLocalDomain("secure.example.org")).isFalse();
    }

    @Test
    void anAccountMaySendAsItsAddressInTheSecureAliasDomain() throws Exception {
        salesTeam();
        dir.setSecureDomain("example.org", "secure.example.org");
        Account alice = new Account(a("alice@example.org"));
        assertThat(dir.mayUseAddress(alice, a("alice@secure.example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("sales@secure.example.org"))).isTrue();
        assertThat(dir.mayUseAddress(alice, a("bob@secure.example.org"))).isFalse();
    }

    @Test
    void aSecureAliasDomainMustBeANameOfItsOwnForALocalDomain() throws Exception {
        salesTeam();
        dir.addDomain("example.net");
        assertThatThrownBy(() -> dir.setSecureDomain("example.com", "secure.example.com"))
                .isInstanceOf(DirectoryException.class).hasMessageStartingWith("no such domain: example.com");
        assertThatThrownBy(() -> dir.setSecureDomain("example.org", "example.net"))
                .isInstanceOf(DirectoryException.class).hasMessageContaining("already a local domain");
        dir.setSecureDomain("example.org", "secure.example.org");
        assertThatThrownBy(() -> dir.setSecureDomain("example.net", "secure.example.org"))
                .isInstanceOf(DirectoryException.class).hasMessageContaining("already the secure alias domain of example.org");
        assertThatThrownBy(() -> dir.addDomain("secure.example.org"))
                .isInstanceOf(DirectoryException.class).hasMessageContaining("already a secure alias domain");
    }

    @Test
    void aMarkedAddressRequiresTlsWithItsStrictnessAlsoWithATag() throws Exception {
        salesTeam();
        dir.setSecure("alice@example.org", Strictness.ENCRYPT);
        dir.setSecure("sales@example.org", Strictness.VERIFY);
        assertThat(required("Alice@example.org")).contains(Strictness.ENCRYPT);
        assertThat(required("alice+tag@example.org")).contains(Strictness.ENCRYPT);
        assertThat(required("sales@example.org")).contains(Strictness.VERIFY);
        assertThat(required("bob@example.org")).isEmpty();
        assertThat(dir.secureAddresses()).containsExactly(
                Map.entry("alice@example.org", Strictness.ENCRYPT), Map.entry("sales@example.org", Strictness.VERIFY));
        assertThat(dir.accounts().get(0).secure()).contains(Strictness.ENCRYPT);
        dir.setSecure("alice@example.org", null);
        assertThat(required("alice@example.org")).isEmpty();
        assertThatThrownBy(() -> dir.setSecure("nobody@example.org", Strictness.VERIFY))
                .isInstanceOf(DirectoryException.class).hasMessage("no such account or alias: nobody@example.org");
    }

    @Test
    void anAccountThatReceivesOnlyOverTlsMakesEveryAddressDeliveringToItSecure() throws Exception {
        salesTeam();
        dir.setAccountTls("bob@example.org", true, false);
        assertThat(required("bob@example.org")).contains(Strictness.VERIFY);
        assertThat(required("sales@example.org")).contains(Strictness.VERIFY);
        assertThat(required("alice@example.org")).isEmpty();
        AccountInfo bob = dir.accounts().get(1);
        assertThat(bob.receiveTlsOnly()).isTrue();
        assertThat(bob.sendAuthenticatedOnly()).isFalse();
        dir.setAccountTls("bob@example.org", false, true);
        assertThat(required("bob@example.org")).isEmpty();
        assertThat(dir.accounts().get(1).sendAuthenticatedOnly()).isTrue();
        assertThatThrownBy(() -> dir.setAccountTls("sales@example.org", true, false)).hasMessage("no such account: sales@example.org");
    }

    @Test
    void anAccountThatReceivesOnlyOverTlsAsksForTheStrictnessItsAddressIsMarkedWith() throws Exception {
        salesTeam();
        dir.setAccountTls("bob@example.org", true, false);
        dir.setSecure("bob@example.org", Strictness.ENCRYPT);
        assertThat(required("sales@example.org")).contains(Strictness.ENCRYPT);
    }

    @Test
    void theSettingsSurviveAReopenAndDisappearWithWhatTheyBelongTo() throws Exception {
        salesTeam();
        dir.setSecureDomain("example.org", "secure.example.org");
        dir.setSecure("sales@example.org", Strictness.ENCRYPT);
        dir.setSecure("bob@example.org", Strictness.VERIFY);
        dir.setAccountTls("alice@example.org", true, true);
        dir.setPassword("alice@example.org", "new-pw".toCharArray());
        dir = reopen(dir, SecureSettings.NONE);
        assertThat(required("sales@example.org")).contains(Strictness.ENCRYPT);
        assertThat(dir.accounts().get(0).receiveTlsOnly()).isTrue();
        assertThat(dir.accounts().get(0).sendAuthenticatedOnly()).isTrue();
        assertThat(dir.isLocalDomain("secure.example.org")).isTrue();
        assertThat(dir.authenticate("alice@example.org", "new-pw".toCharArray())).isPresent();

        dir.removeUser("bob@example.org");
        dir.removeAlias("sales@example.org");
        assertThat(dir.secureAddresses()).isEmpty();
        dir.removeUser("alice@example.org");
        dir.removeDomain("example.org");
        assertThat(dir.isLocalDomain("secure.example.org")).isFalse();
        assertThat(dir.secureDomains()).isEmpty();
    }

    @Test
    void aSecureSenderIsASecureAliasDomainOrAMarkedAddressButNotAnAccountThatOnlyReceivesOverTls() throws Exception {
        salesTeam();
        dir.setSecureDomain("example.org", "secure.example.org");
        dir.setSecure("sales@example.org", Strictness.ENCRYPT);
        dir.setAccountTls("bob@example.org", true, false);
        assertThat(dir.secureSender(a("alice@secure.example.org"))).contains(Strictness.VERIFY);
        assertThat(dir.secureSender(a("sales+q4@example.org"))).contains(Strictness.ENCRYPT);
        assertThat(dir.secureSender(a("sales@secure.example.org"))).contains(Strictness.ENCRYPT);
        assertThat(dir.secureSender(a("alice@example.org"))).isEmpty();
        assertThat(dir.secureSender(a("bob@example.org"))).isEmpty();
        assertThat(required("bob@example.org")).contains(Strictness.VERIFY); // receiving is another matter
        assertThat(dir.secureSender(a("someone@remote.test"))).isEmpty();
    }

    @Test
    void theSendSwitchOfAnAccountIsReadBack() throws Exception {
        salesTeam();
        dir.setAccountTls("bob@example.org", false, true);
        assertThat(dir.sendsOnlyAuthenticated(new Account(a("bob@example.org")))).isTrue();
        assertThat(dir.sendsOnlyAuthenticated(new Account(a("alice@example.org")))).isFalse();
        assertThat(dir.sendsOnlyAuthenticated(new Account(a("gone@example.org")))).isFalse();
    }

    // ---- the [secure] entries of depesche.toml laid over the content ----

    /** example.org with alice and bob, sales@ to alice, and {@link #TOML} laid over it. */
    private DirectoryAdmin withConfig() throws Exception {
        dir.addDomain("example.org");
        dir.addUser("alice@example.org", "a".toCharArray());
        dir.addUser("bob@example.org", "b".toCharArray());
        dir.addAlias("sales@example.org", List.of("alice@example.org"));
        return reopen(dir, configured(TOML));
    }

    @Test
    void aSecureAliasDomainFromTheConfigIsLocalAndReachesTheSameMailboxOnlyOverTls() throws Exception {
        DirectoryAdmin d = withConfig();
        assertThat(d.isLocalDomain("Secure.Example.org")).isTrue();
        assertThat(d.resolve(a("bob@secure.example.org"))).containsExactly(a("bob@example.org"));
        assertThat(d.requiredTls(a("bob@secure.example.org"))).contains(Strictness.VERIFY);
        assertThat(d.secureAliasDomains()).containsEntry("example.org", List.of("secure.example.org"));
        assertThat(d.configured().aliasToDomain()).containsExactly(Map.entry("secure.example.org", "example.org"));
        assertThat(required("bob@secure.example.org")).isEmpty(); // without the config it is nobody's domain
        assertThat(dir.isLocalDomain("secure.example.org")).isFalse();
    }

    @Test
    void aSecureAliasDomainFromTheConfigInULabelsIsMatchedByItsALabels() throws Exception {
        dir.addDomain("bücher.example");
        dir.addUser("anna@bücher.example", "a".toCharArray());
        DirectoryAdmin d = reopen(dir, configured("""
                [[secure.domain]]
                domain = "BÜCHER.example"
                alias = "sicher.bücher.example"
                """));
        assertThat(d.resolve(a("anna@sicher.xn--bcher-kva.example"))).containsExactly(a("anna@xn--bcher-kva.example"));
        assertThat(d.requiredTls(a("Anna@Sicher.Bücher.example"))).contains(Strictness.VERIFY);
    }

    @Test
    void addressesAndAccountSwitchesFromTheConfigMakeMailRequireTls() throws Exception {
        DirectoryAdmin d = withConfig();
        assertThat(d.requiredTls(a("sales+news@example.org"))).contains(Strictness.VERIFY);
        assertThat(d.requiredTls(a("alice@example.org"))).contains(Strictness.ENCRYPT); // keyed by its local domain
        assertThat(d.requiredTls(a("bob@example.org"))).contains(Strictness.VERIFY);
        assertThat(d.accounts()).filteredOn(x -> x.address().equals("bob@example.org")).singleElement()
                .satisfies(x -> {
                    assertThat(x.receiveTlsOnly()).isTrue();
                    assertThat(x.sendAuthenticatedOnly()).isFalse();
                });
        assertThat(d.configuredTable("Sales@example.org")).contains("[[secure.address]]");
        assertThat(d.configuredTable("bob@example.org")).contains("[[secure.account]]");
        assertThat(d.configuredTable("alice@example.org")).isEmpty();
        assertThat(d.configuredTable("not an address")).isEmpty();
    }

    @Test
    void whereTheStoredContentAndTheConfigNameTheSameAddressTheStricterWins() throws Exception {
        dir.addDomain("example.org");
        dir.addUser("alice@example.org", "a".toCharArray());
        dir.addUser("bob@example.org", "b".toCharArray());
        dir.addAlias("sales@example.org", List.of("alice@example.org"));
        dir.setSecure("alice@example.org", Strictness.VERIFY);
        dir.setSecure("sales@example.org", Strictness.ENCRYPT);
        DirectoryAdmin d = reopen(dir, configured(TOML));
        assertThat(d.requiredTls(a("alice@example.org"))).contains(Strictness.VERIFY);
        assertThat(d.requiredTls(a("sales@example.org"))).contains(Strictness.VERIFY);
        assertThat(d.secureAddresses()).containsEntry("sales@example.org", Strictness.VERIFY);
    }

    @Test
    void theCliRefusesToMakeAConfiguredAddressOrAccountOrdinaryWithOneLineNamingTheFile() throws Exception {
        DirectoryAdmin d = withConfig();
        assertThatThrownBy(() -> d.setSecure("sales@example.org", null)).isInstanceOf(DirectoryException.class)
                .hasMessage("sales@example.org is made secure by [[secure.address]] in depesche.toml; remove it there and restart to change that");
        assertThatThrownBy(() -> d.requireNotConfigured("Sales@example.org"))
                .hasMessage("sales@example.org is made secure by [[secure.address]] in depesche.toml; remove it there and restart to change that");
        assertThatThrownBy(() -> d.setAccountTls("bob@example.org", false, false))
                .hasMessage("bob@example.org is made secure by [[secure.account]] in depesche.toml; remove it there and restart to change that");
        assertThatThrownBy(() -> d.addDomain("secure.example.org")).hasMessage("secure.example.org is the secure alias domain of example.org in depesche.toml");
        d.setAccountTls("bob@example.org", true, true); // switching more on is fine
        assertThat(d.requiredTls(a("sales@example.org"))).contains(Strictness.VERIFY);
        assertThat(d.sendsOnlyAuthenticated(new Account(a("bob@example.org")))).isTrue();
    }

    @Test
    void aConfiguredAliasDomainCannotBeMadeTheSecureAliasDomainOfAnotherDomain() throws Exception {
        DirectoryAdmin d = withConfig();
        d.addDomain("example.net");
        assertThatThrownBy(() -> d.setSecureDomain("example.net", "secure.example.org"))
                .hasMessage("secure.example.org is already the secure alias domain of example.org in depesche.toml");
    }

    @Test
    void aConfiguredAliasDomainThatIsALocalDomainInTheStoredContentIsRefused() throws Exception {
        dir.addDomain("example.org");
        dir.addDomain("secure.example.org");
        assertThatThrownBy(() -> reopen(dir, configured(TOML))).isInstanceOf(DirectoryException.class)
                .hasMessageStartingWith("depesche.toml: [[secure.domain]] alias secure.example.org is a local domain in ")
                .hasMessageEndingWith("; a secure alias domain must be a name of its own");
    }
}
