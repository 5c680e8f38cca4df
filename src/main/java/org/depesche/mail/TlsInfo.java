package org.depesche.mail;

/**
 * The TLS facts of one SMTP hop, as recorded in Received headers (RFC 8314
 * 4.3) and in transport records: protocol version ("TLSv1.3") and cipher
 * suite name. {@link #NONE} for a plaintext session.
 */
public record TlsInfo(String protocol, String cipher) {
    public static final TlsInfo NONE = new TlsInfo("", "");

    public boolean isEncrypted() { return !protocol.isEmpty(); }

    @Override
    public String toString() {
        return isEncrypted() ? protocol + " " + cipher : "none";
    }
}
