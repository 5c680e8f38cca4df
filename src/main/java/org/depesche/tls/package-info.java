/**
 * The server's TLS identity and policy. Certificates and keys are read from
 * PEM files (RFC 7468) and re-read when they change, so a renewed
 * certificate is served to new connections without a restart while open
 * ones keep theirs. Only TLS 1.3 and 1.2 are enabled, and with 1.2 only
 * ECDHE key exchange with AEAD ciphers (RFC 9325 4.1 and 4.2; RFC 8996
 * deprecates 1.0 and 1.1). Client-initiated renegotiation is refused
 * ({@link org.depesche.tls.JsseSettings}). A self-signed certificate generator serves
 * first runs and tests; it is not a substitute for a CA-issued certificate
 * on the public MX (RFC 7672 and MTA-STS need one).
 */
package org.depesche.tls;
