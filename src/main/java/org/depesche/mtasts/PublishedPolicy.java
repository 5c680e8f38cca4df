package org.depesche.mtasts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

import org.depesche.config.Config;
import org.depesche.mail.DomainName;

/**
 * The policy this server publishes for its own domains, with the id of its
 * TXT record. The id is derived from the policy text (RFC 8461 3.1: it must
 * change whenever the policy does), so an operator never has to bump it.
 */
public record PublishedPolicy(StsPolicy policy, String id) {

    /** The policy the [mta_sts] section describes. */
    public static PublishedPolicy from(Config config) {
        Config.MtaSts m = config.mtaSts();
        StsPolicy.Mode mode = StsPolicy.Mode.valueOf(m.mode().toUpperCase(Locale.ROOT));
        StsPolicy policy = new StsPolicy(mode, config.mtaStsMx().stream().map(PublishedPolicy::pattern).toList(),
                m.maxAge().toSeconds());
        return new PublishedPolicy(policy, idOf(policy.toText()));
    }

    /** RFC 8461 3.2: an mx value is an ASCII domain name, perhaps after "*.": a configured U-label goes out as A-labels. */
    private static String pattern(String configured) {
        String wildcard = configured.startsWith("*.") ? "*." : "";
        return wildcard + DomainName.hostKey(configured.substring(wildcard.length()));
    }

    /** 32 hex digits of the policy text's SHA-256: the most 3.1 allows, and letters and digits only. */
    static String idOf(String policyText) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(policyText.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** The TXT record to publish at {@code _mta-sts.<domain>}. */
    public StsRecord record() {
        return new StsRecord(id);
    }
}
