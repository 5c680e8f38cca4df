/**
 * DANE for SMTP: TLSA records (RFC 6698 2.1) matched against the certificate
 * chain a server presented, as RFC 7672 3.1 and RFC 7671 5 prescribe. Only
 * DANE-TA(2) and DANE-EE(3) are usable for SMTP; PKIX-TA(0) and PKIX-EE(1),
 * unknown selectors or matching types and digests of the wrong length are
 * unusable (RFC 7672 3.1.3), and "no usable record" is reported apart so the
 * policy can fall back to mandatory unauthenticated TLS (RFC 7672 2.2).
 * DANE-EE ignores names and validity dates (RFC 7672 3.1.1); DANE-TA
 * validates the chain from the leaf to the matched trust anchor and checks
 * the leaf against the reference names (RFC 7672 3.1.2, 3.2.2, 3.2.3: the MX
 * host name, plus the CNAME-expanded names of RFC 7672 2.2.3 that the caller
 * passes). Name matching follows RFC 6125 6.4 / RFC 9525 6.3 (DNS-IDs, a
 * wildcard only as the whole left-most label). Not implemented: TLSA lookup
 * itself (the dns package), DNSSEC status (the caller only passes records
 * from a secure RRset), PKIX-TA/EE for other protocols.
 */
package org.depesche.dane;
