/**
 * Outbound TLS policy: which protection a destination domain's MX hosts must
 * offer before any part of a message is sent to them. Levels and the static
 * table follow Postfix's smtp_tls_security_level and smtp_tls_policy_maps
 * (none, may, encrypt, dane, dane-only, verify); "dane" is opportunistic DANE
 * as RFC 7672 2.2 describes it (TLSA only from secure MX and address RRsets,
 * a failed TLSA lookup never falls back, all-unusable records mean mandatory
 * unauthenticated TLS) and RFC 7672 6 (protocol downgrade by an active
 * attacker) is answered with a downgrade memory: the best protection seen on
 * a successful delivery to a domain is required again until an operator
 * resets it (THREATS T10).
 */
package org.depesche.policy;
