/**
 * The composition root: {@link org.depesche.Depesche} builds the directory,
 * the TLS identity, the queue, the mailbox store, local delivery and the
 * SMTP listeners (RFC 5321 MX, RFC 6409 submission, RFC 8314 submissions)
 * from one {@link org.depesche.config.Config}, by hand, so a reader sees
 * every part and how they connect. The path of one message through them is
 * described in docs/flow.md. Comments throughout the code that cite
 * "THREATS T1" to "THREATS T14" refer to the attacks of docs/threats.md.
 */
package org.depesche;
