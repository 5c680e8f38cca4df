package org.depesche.smtp.server;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.depesche.mail.InvalidDomainException;
import org.depesche.mail.MailAddress;
import org.depesche.smtp.SmtpException;

/**
 * The argument of MAIL FROM and RCPT TO: a path in angle brackets and
 * esmtp parameters (RFC 5321 4.1.2). {@code address} is empty for the null
 * reverse path "<>". Parameter keywords are upper-cased; a parameter
 * without value maps to "". {@code international}: the path as sent had
 * non-ASCII characters and so needs SMTPUTF8 (RFC 6531 3.4), even where the
 * address, its domain turned into A-labels, no longer has them.
 */
record PathArgument(Optional<MailAddress> address, Map<String, String> parameters, boolean international) {

    /**
     * Parses what follows "MAIL" or "RCPT": {@code prefix} is "FROM:" or
     * "TO:". A space after the colon is tolerated (many clients send it).
     */
    static PathArgument parse(String args, String prefix, String badAddressCode, boolean allowNull)
            throws SmtpException {
        if (args.length() < prefix.length() || !args.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new SmtpException(501, "5.5.4", "Syntax: " + (allowNull ? "MAIL FROM:<address>" : "RCPT TO:<address>"));
        }
        String rest = args.substring(prefix.length()).stripLeading();
        if (!rest.startsWith("<")) throw new SmtpException(501, "5.5.4", "Address must be in angle brackets");
        int close = rest.indexOf('>');
        if (close < 0) throw new SmtpException(501, "5.5.4", "Missing > after the address");
        String path = rest.substring(1, close);
        Map<String, String> params = parseParameters(rest.substring(close + 1));
        if (path.isEmpty()) {
            if (!allowNull) throw new SmtpException(501, badAddressCode, "Empty recipient address");
            return new PathArgument(Optional.empty(), params, false);
        }
        // RFC 5321 4.1.1.3 and C: a source route is accepted and ignored.
        if (path.startsWith("@")) {
            int colon = path.indexOf(':');
            if (colon < 0) throw new SmtpException(501, badAddressCode, "Bad source route");
            path = path.substring(colon + 1);
        }
        MailAddress address;
        try {
            address = MailAddress.parse(path);
        } catch (InvalidDomainException e) { // RFC 5321 4.1.2, RFC 5891 4: the domain is no host name under UTS #46
            throw new SmtpException(501, badAddressCode, "Bad address syntax: the domain is not a valid domain name (" + e.reason() + ")");
        } catch (IllegalArgumentException e) {
            throw new SmtpException(501, badAddressCode, "Bad address syntax: " + e.getMessage());
        }
        // The address is copied into Received and Return-Path: only what RFC 5321 4.1.2 allows gets there.
        if (!isLocalPart(address.localPart())) throw new SmtpException(501, badAddressCode, "Bad address syntax: invalid local part");
        return new PathArgument(Optional.of(address), params, !path.chars().allMatch(c -> c < 0x80));
    }

    /**
     * RFC 5321 4.1.2: Dot-string of atext (dots already checked by MailAddress)
     * or Quoted-string; RFC 6531 3.3 adds non-ASCII characters to both.
     */
    static boolean isLocalPart(String local) {
        if (!local.startsWith("\"")) {
            return local.codePoints().allMatch(c -> c >= 0x80 || (c < 0x80 && Character.isLetterOrDigit(c))
                    || c == '.' || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0);
        }
        if (local.length() < 2 || !local.endsWith("\"")) return false;
        for (int i = 1; i < local.length() - 1; i++) {
            char c = local.charAt(i);
            if (c == '\\') {
                i++; // quoted-pairSMTP: a backslash and any printable character
                if (i == local.length() - 1) return false;
            } else if (c == '"') {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> parseParameters(String s) throws SmtpException {
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : s.trim().split(" +")) {
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : p.substring(eq + 1);
            if (key.isEmpty() || !key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')) {
                throw new SmtpException(501, "5.5.4", "Bad parameter syntax");
            }
            if (params.put(key, value) != null) throw new SmtpException(501, "5.5.4", "Parameter " + key + " given twice");
        }
        return params;
    }
}
