package org.depesche.smtp.client;

import java.util.Locale;

/** How the receiving server was authenticated on one connection. */
public enum Authentication {
    NONE, DANE_EE, DANE_TA, PKIX, PINNED;

    /** "none", "dane-ee", "dane-ta", "pkix", "pinned": the names used in logs and `queue show`. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
