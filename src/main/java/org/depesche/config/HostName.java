package org.depesche.config;

/**
 * Syntax of this server's own host names as configured ({@code hostname},
 * {@code helo_name}, MTA-STS MX patterns; RFC 1123 2.1, RFC 5321 2.3.5):
 * dot-separated labels of letters, digits and hyphens, no label longer than
 * 63 or starting or ending with a hyphen, 253 characters in all. Non-ASCII
 * letters are allowed so that internationalised names (U-labels, RFC 6531)
 * can be configured as they are written. Domains that are compared (policy,
 * local and secure alias domains) go through
 * {@link org.depesche.mail.DomainName} instead.
 */
public final class HostName {
    private HostName() {
    }

    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) return false;
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) return false;
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '-')) return false;
            }
        }
        return true;
    }

    /**
     * How quickstart writes a host name into the configuration: its
     * {@link org.depesche.mail.DomainName#hostKey}, lower-case A-labels
     * without a trailing dot, the form a greeting and a certificate's
     * dNSName (RFC 5280 4.2.1.6) need.
     */
    public static String normalize(String name) {
        return org.depesche.mail.DomainName.hostKey(name);
    }
}
