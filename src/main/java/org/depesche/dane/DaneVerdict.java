package org.depesche.dane;

import java.util.Optional;

/**
 * The result of matching a server's chain against TLSA records:
 * authenticated as DANE-EE or DANE-TA (with the record that matched), not
 * matched (with a short reason), or no usable record at all, which RFC 7672
 * 2.2 turns into mandatory unauthenticated TLS.
 */
public record DaneVerdict(Result result, Optional<TlsaRecord> matched, String reason) {

    public enum Result { DANE_EE, DANE_TA, NO_MATCH, NO_USABLE_RECORDS }

    public boolean authenticated() {
        return result == Result.DANE_EE || result == Result.DANE_TA;
    }

    static DaneVerdict matched(Result result, TlsaRecord record) {
        return new DaneVerdict(result, Optional.of(record), "");
    }

    static DaneVerdict failed(Result result, String reason) {
        return new DaneVerdict(result, Optional.empty(), reason);
    }
}
