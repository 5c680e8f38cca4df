/**
 * MTA-STS (RFC 8461): the {@code _mta-sts} TXT record (3.1), the policy file
 * and its grammar (3.2), fetching it over HTTPS with PKIX validation, no
 * redirects, a 64 KiB cap and one deadline of a minute on the whole fetch,
 * connect to the last byte of the body, after which the connection is closed
 * (3.3; THREATS T14: a host that trickles its body holds nothing),
 * matching MX host names against its patterns with a wildcard standing for
 * exactly one left-most label (3.4, 4.1), and the per-domain cache that honours max_age, refetches when the TXT
 * id changes and keeps a cached policy when the policy host cannot be reached
 * (5.1, 10.3), kept in a {@code PolicyStore} so it survives a restart
 * ({@code FilePolicyStore}: one JSON file per domain under
 * {@code <data>/mta-sts/}) and refreshed in the
 * background before a policy expires (3.3, 10.2). Fetches run on a small
 * pool of their own ({@code FetchPool}: four at once, 64 waiting, one fetch
 * per domain however many deliveries want it), never on a delivery worker,
 * which waits at most the deadline (THREATS T14); a failed fetch is not
 * repeated under the same TXT id for five minutes (3.3). Publishing this
 * server's own policy (3.3) with a small HTTP/1.1 responder (RFC 9112: the request
 * head, 2-5; Host, 3.2; Connection: close, 9.6) that answers GET and HEAD
 * (RFC 9110 9.3.1, 9.3.2) of the one path and keeps every client within
 * caps on connections, time and head size (THREATS T14). A failed fetch
 * names its RFC 8460 4.3.2.2 result type
 * ({@link org.depesche.mtasts.PolicyException.Reason#tlsFailure()}).
 */
package org.depesche.mtasts;
