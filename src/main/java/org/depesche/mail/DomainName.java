package org.depesche.mail;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.ibm.icu.text.IDNA;

/**
 * The one comparison key of a domain name: UTS #46 processing (Unicode IDNA
 * Compatibility Processing, section 4) with nontransitional processing, then
 * ToASCII (section 4.2), so that every spelling of a domain compares equal
 * and a policy written for one spelling cannot be bypassed by another.
 *
 * <p>The mapping step folds case, maps fullwidth and other compatibility
 * forms, normalises to NFC and turns the alternative dots U+3002, U+FF0E and
 * U+FF61 into '.' (UTS #46 2.3); the result is checked as IDNA2008 labels
 * (RFC 5891 4.2: hyphens, combining marks, CONTEXTJ and CONTEXTO rules,
 * RFC 5893 bidi) with STD3 rules, that is letters, digits and hyphens only,
 * the host name syntax a mail domain must have (RFC 5321 4.1.2), and turned
 * into lower-case A-labels (RFC 5890 2.3.2.1), the form DNS knows. A name
 * that fails is an {@link InvalidDomainException}, never a key.
 *
 * <p>{@code java.net.IDN} is not used: it implements IDNA2003, not UTS #46.
 */
public final class DomainName {
    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.USE_STD3_RULES | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.CHECK_CONTEXTO);

    private DomainName() {
    }

    /**
     * The key: lower-case A-labels without the trailing dot of an absolute
     * name. Throws {@link InvalidDomainException} for a name UTS #46 rejects.
     */
    public static String key(String domain) {
        if (domain == null || domain.isBlank()) throw new InvalidDomainException("\"\"", "the name is empty");
        IDNA.Info info = new IDNA.Info();
        String ascii = UTS46.nameToASCII(domain.strip(), new StringBuilder(), info).toString();
        if (info.hasErrors()) throw new InvalidDomainException(domain, words(info.getErrors()));
        // An absolute name ("example.org.", the dot perhaps an alternative one) names the same domain.
        if (ascii.endsWith(".")) ascii = ascii.substring(0, ascii.length() - 1);
        if (ascii.isEmpty()) throw new InvalidDomainException(domain, "the name is empty");
        return ascii;
    }

    /**
     * The key of a host name that need not be a domain UTS #46 accepts: names
     * from DNS and the configuration may have labels STD3 or IDNA2008 refuse
     * (an '_', a "--" in the third and fourth place), yet still name a host.
     * Such a name is compared as DNS compares it, case-insensitively (RFC
     * 4343): in lower case, without the trailing dot ("." stays the root).
     * Every other name is compared by its {@link #key}, so that a U-label
     * spelling meets the A-labels of a DNS record.
     */
    public static String hostKey(String name) {
        try {
            return key(name);
        } catch (InvalidDomainException e) {
            String n = name.strip().toLowerCase(java.util.Locale.ROOT);
            return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
        }
    }

    /** The {@link #key}, or empty for a name UTS #46 rejects (or null): for names from outside that may be no domain. */
    public static Optional<String> keyIfValid(String domain) {
        if (domain == null) return Optional.empty();
        try {
            return Optional.of(key(domain));
        } catch (InvalidDomainException e) {
            return Optional.empty();
        }
    }

    /** True if {@link #key} accepts the name. */
    public static boolean isValid(String domain) {
        return keyIfValid(domain).isPresent();
    }

    private static String words(Set<IDNA.Error> errors) {
        return errors.stream().map(e -> switch (e) {
            case EMPTY_LABEL -> "an empty label";
            case LABEL_TOO_LONG -> "a label longer than 63 octets";
            case DOMAIN_NAME_TOO_LONG -> "longer than 253 octets";
            case LEADING_HYPHEN -> "a label starts with '-'";
            case TRAILING_HYPHEN -> "a label ends with '-'";
            case HYPHEN_3_4 -> "a label has '--' in its third and fourth position";
            case LEADING_COMBINING_MARK -> "a label starts with a combining mark";
            case DISALLOWED -> "a character not allowed in a domain name";
            case PUNYCODE, INVALID_ACE_LABEL -> "an xn-- label that is not a valid A-label";
            case BIDI -> "mixes right-to-left and left-to-right labels against RFC 5893";
            case CONTEXTJ, CONTEXTO_PUNCTUATION, CONTEXTO_DIGITS -> "a character out of the context RFC 5892 allows it in";
            default -> e.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }).distinct().collect(Collectors.joining(", "));
    }
}
