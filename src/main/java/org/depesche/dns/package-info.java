/**
 * DNS lookups that report their DNSSEC status: every answer is secure,
 * insecure, bogus or indeterminate (RFC 4033 5, RFC 4035 4.3). The default
 * resolver validates in process with dnsjava's validator from a configured
 * trust anchor of DS or DNSKEY records (RFC 4034 2 and 5; the IANA root KSKs
 * built in) over configured upstream servers: queries carry DO and CD and
 * the upstream's AD bit is ignored (RFC 4035 3.2 and 5, RFC 6840 5.9). The
 * other mode trusts the AD bit of a validating resolver, on a loopback
 * address only (RFC 4035 4.9.3, RFC 6840 5.7). In validate mode an answer
 * the validator did not mark secure is insecure only where {@link
 * org.depesche.dns.InsecurityProof} proves it (RFC 4033 5, RFC 4035 5.2): a
 * chain of validated DS answers down to a signed NSEC/NSEC3 delegation
 * without DS, an NSEC3 opt-out span (RFC 5155 6, 8.6), or DS records of
 * algorithms or digest types that cannot be validated (RFC 6840 5.2);
 * anything else is indeterminate or bogus. Signed RRsets are cached no
 * longer than their RRSIGs' original TTL and expiration (RFC 4035 5.3.3),
 * and DS/DNSKEY answers are kept for the validator only once they verified.
 * Denial of existence must be
 * proven by NSEC (RFC 4035 5.4, RFC 7129 3) or NSEC3 (RFC 5155 8, RFC 7129
 * 5); NSEC3 proofs with more than 150 iterations are not trusted: a name
 * error proven only by them is insecure, a NODATA bogus (RFC 9276 3.2 allows
 * either). Answers, negative ones included (RFC 2308 5), are cached by TTL
 * with their status; validated DNSKEYs are cached in the validator. The work
 * per answer is bounded (DNSKEYs and RRSIGs considered, answer size, time per
 * lookup) so KeyTrap-class answers cannot stall delivery (THREATS T14).
 * Answers larger than a UDP datagram are retried over TCP (RFC 7766 5).
 * CNAME chains keep the status of every link, as DANE for SMTP needs
 * (RFC 7672 2.2.3). TLSA answers leave this package as
 * {@link org.depesche.dane.TlsaRecord}s (RFC 6698 2.1), not as dnsjava's
 * records. Not implemented: DNS over TLS, automated trust anchor
 * rollover (RFC 5011).
 */
package org.depesche.dns;
