/**
 * DNS lookups that report their DNSSEC status: every answer is secure,
 * insecure, bogus or indeterminate (RFC 4033 5, RFC 4035 4.3). The default
 * resolver validates in process with dnsjava's validator from a configured
 * trust anchor (the IANA root KSKs built in) over configured upstream servers
 * (RFC 4035 5, RFC 6840 5.9 and 5.10: queries carry DO and CD, the AD bit of
 * the upstream is ignored); the other mode trusts the AD bit of a validating
 * resolver on a loopback address only (RFC 6840 5.7, RFC 4035 4.9.3).
 * Denial of existence is proven by NSEC (RFC 4035 5.4) or NSEC3 (RFC 5155 8),
 * and NSEC3 proofs with more than 150 iterations are not trusted: a name
 * error proven only by them is insecure, a NODATA bogus (RFC 9276 3.2 allows
 * either). Answers, including negative ones (RFC 2308), are cached by
 * TTL with their status, validated DNSKEYs in the validator; the work per
 * answer is bounded (DNSKEYs and RRSIGs considered, answer size, time per
 * lookup) so KeyTrap-class answers cannot stall delivery (THREATS T14).
 * Answers larger than a UDP datagram are retried over TCP (RFC 7766 5).
 * CNAME chains keep the status of every link, as DANE for SMTP needs
 * (RFC 7672 2.2.3). Not implemented: DNAME synthesis on our side (it is left
 * to the validator), DNS over TLS, trust anchor rollover (RFC 5011).
 */
package org.depesche.dns;
