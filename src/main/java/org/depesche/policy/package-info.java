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
 * resets it (THREATS T10); the memory is the {@code DowngradeMemory}
 * interface, kept by {@code FileDowngradeMemory} as one JSON file per domain
 * under {@code <data>/policy/}. A message's own demand is applied last: a
 * secure sender's floor or REQUIRETLS (RFC 8689 4.2.1) admits only an
 * authenticated server (DANE, MTA-STS enforce, pins, PKIX on the name of a
 * DNSSEC-secure MX; a static verify entry alone does not prove the MX name)
 * and refuses the MX otherwise;
 * {@code TLS-Required: No} (RFC 8689 4.2.2) lifts DANE, MTA-STS and the
 * memory when the operator allows it. Requirements, the memory and the
 * probe compare on the one {@link org.depesche.transport.Strength} scale
 * (ADR 0005), and a decision not to connect carries its
 * {@link org.depesche.transport.TlsFailure}: dane-required, dnssec-invalid,
 * tlsa-invalid (RFC 8460 4.3.2.1), or Depesche's own sts-mx-not-listed,
 * downgrade-refused, no-authenticated-tls.
 */
package org.depesche.policy;
