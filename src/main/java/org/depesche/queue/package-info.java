/**
 * The durable queue and the delivery loop. A message is accepted only once
 * content and envelope are on stable storage, because after the 250 reply
 * the server has accepted responsibility for it (RFC 5321 6.1 "reliable
 * delivery", 4.1.1.4); {@link org.depesche.queue.FileQueue} fsyncs files and
 * the spool directory before commit returns and refuses new mail (452 4.3.1,
 * RFC 3463) rather than store it truncated on a full disk.
 * {@link org.depesche.queue.QueueRunner} retries failed deliveries with
 * exponential backoff and gives up after a maximum lifetime
 * (RFC 5321 4.5.4.1), keeping per-recipient state and an attempt history in
 * the queue. Remote deliveries share {@code workers}, at most
 * {@code destination_concurrency} (fewer) per domain; local mailboxes have a
 * lane of their own, so a tarpitting MX delays no local mail (THREATS T14).
 * Delivery is exactly once across a kill -9: each (message,
 * mailbox) has a deterministic key the store keeps, checked after a restart.
 * {@link org.depesche.queue.LocalCourier} is the final delivery agent and
 * adds Return-Path (RFC 5321 4.4). A finished message leaves the queue only
 * once its {@link org.depesche.queue.QueueRunner.Notice}s (the RFC 3464
 * reports of org.depesche.dsn) are queued; a full disk keeps it until they
 * are. A message's {@link org.depesche.queue.TransportDemand} (REQUIRETLS,
 * RFC 8689 4.1; a secure sender's floor) is stored with it, and
 * {@link org.depesche.queue.TransportDemand#needs} is the one rule for what
 * it asks of every hop (RFC 8689 4.2.1, 5). Not yet: group commit.
 */
package org.depesche.queue;
