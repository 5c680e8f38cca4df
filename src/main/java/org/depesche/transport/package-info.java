/**
 * The vocabulary of transport security every layer shares (ADR 0002): the one
 * ordered {@link org.depesche.transport.Strength} scale (plaintext, encrypted,
 * verified by PKIX or pins, verified by MTA-STS, DANE), what a message needs
 * of each hop ({@link org.depesche.transport.HopRequirement}: RFC 8689 4.2.1),
 * and why TLS failed ({@link org.depesche.transport.TlsFailure}), whose values
 * are RFC 8460 4.3's result types plus the few Depesche needs beyond them.
 * Depends on nothing else in Depesche, so policy, queue, the SMTP client and
 * the probe can all use it without a package cycle. Not here: the TLS
 * reports of RFC 8460 themselves.
 */
package org.depesche.transport;
