/**
 * The durable queue and the delivery loop.
 * <p>
 * {@link org.depesche.queue.Queue} is the whole of what the rest of
 * Depesche may ask of the queue: accept a message in two steps, list and read
 * it, store its delivery state, remove it, say whether there is room, hand
 * out the runner {@link org.depesche.queue.Queue.Lease} and pass
 * {@link org.depesche.queue.ControlRequest}s from the CLI to the server. A
 * message is accepted only once content and envelope are on stable storage,
 * because after the 250 reply the server has accepted responsibility for it
 * (RFC 5321 6.1 "reliable delivery", 4.1.1.4). The queue alone decides
 * whether it is full: {@link org.depesche.queue.Queue#room} answers the MAIL
 * check (RFC 1870 6.1) and {@link org.depesche.queue.QueueFullException} a
 * write that no longer fits, both 452 4.3.1 (RFC 3463); the protocol code
 * never looks at a disk. {@link org.depesche.queue.FileQueue} is the
 * implementation on local disk: it fsyncs files and the spool directory
 * before commit returns and refuses new mail rather than store it truncated.
 * {@code QueueContractTest} holds every implementation to the interface.
 * <p>
 * {@link org.depesche.queue.QueueRunner} holds the lease and delivers
 * through a {@link org.depesche.queue.Courier}: local mailboxes through
 * {@link org.depesche.queue.LocalCourier}, the final delivery agent, which
 * adds Return-Path (RFC 5321 4.4); remote domains through
 * org.depesche.outbound (MX, DANE, MTA-STS, REQUIRETLS). It retries failed
 * deliveries with exponential backoff and gives up after a maximum lifetime
 * (RFC 5321 4.5.4.1), keeping per-recipient state and an attempt history in
 * the queue. Remote deliveries share {@code workers}, at most
 * {@code destination_concurrency} (fewer) per domain; local mailboxes have a
 * lane of their own, so a tarpitting MX delays no local mail (THREATS T14).
 * The runner decides under its monitor and does the disk work outside it.
 * Delivery is exactly once across a kill -9: each (message, mailbox) has a
 * deterministic key the store keeps, checked after a restart. A finished
 * message leaves the queue only once its
 * {@link org.depesche.queue.QueueRunner.Notice}s (the RFC 3464 reports of
 * org.depesche.dsn: bounces and delay notices) are queued; a full disk keeps
 * it until they are. {@link org.depesche.queue.QueueAdmin} is the operator's
 * retry and delete, through the running server or directly under the lease.
 * A message's {@link org.depesche.queue.TransportDemand} (REQUIRETLS,
 * RFC 8689 4.1; a secure sender's floor) is stored with it, and
 * {@link org.depesche.queue.TransportDemand#needs} is the one rule for what
 * it asks of every hop (RFC 8689 4.2.1, 5). Not yet: group commit (concurrent commits share no fsync), and a lease per
 * message for several nodes delivering from one shared queue.
 */
package org.depesche.queue;
