/**
 * Outbound delivery to other domains' MX hosts: the MX list of RFC 5321
 * 5.1 (preference order, equal preferences shuffled, the implicit MX of a
 * domain without MX records, every IPv6 and IPv4 address of a host), the
 * null MX of RFC 7505 (bounced at once), DANE lookups as RFC 7672 2.2
 * orders them (TLSA only behind secure MX and address RRsets, CNAME rules
 * of 2.2.3), one SMTP session per domain for all its recipients, and the
 * routing of each recipient to local or remote delivery. A message's own
 * transport demand (REQUIRETLS, RFC 8689 4.2.1; a secure sender's floor) is
 * met at every MX or the message bounces at once with the reasons in words
 * (5.7.10, 5.7.30); MTA-STS testing failures (RFC 8461 5.2) are recorded
 * with the delivery. What a server says is kept as a bounded excerpt, and
 * of the hosts that failed before, the last few are named (THREATS T14).
 * What to try for a domain is decided in one place,
 * {@link org.depesche.outbound.DeliveryPlanner}: the domain's policy, its
 * MX hosts, per host its addresses, DNS facts and the policy engine's
 * decision, and the round's address budget. {@link
 * org.depesche.outbound.RemoteCourier} carries that plan out;
 * {@link org.depesche.outbound.Probe} checks the same plan without sending
 * (it stops before MAIL FROM) and reports how mail to a domain would travel
 * (`depesche probe`). Both decide on typed values only: the
 * message's {@link org.depesche.queue.TransportDemand#needs}, the client's
 * {@link org.depesche.transport.TlsFailure} and the
 * {@link org.depesche.transport.Strength} a hop has (ADR 0005).
 */
package org.depesche.outbound;
