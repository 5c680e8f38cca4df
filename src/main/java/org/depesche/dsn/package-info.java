/**
 * Delivery status notifications: RFC 3464 reports (Action failed or
 * delayed, Status as RFC 3463 codes, Remote-MTA and Diagnostic-Code) inside
 * an RFC 6522 multipart/report with a plain-words explanation first and the
 * original header section last (text/rfc822-headers). They are sent with
 * the null reverse path and never for a message that had one
 * (RFC 5321 4.5.5, RFC 3464 2), and go through the queue like any message;
 * one the queue refuses (a full disk) is reported to the runner, which keeps
 * the original until the report is queued.
 * Lines are wrapped in one pass and kept far below the 998 octets of
 * RFC 5322 2.1.1, whatever a server said.
 * A report on a REQUIRETLS message carries none of its content, only the
 * header fields that identify it, and travels with the message's demand
 * (RFC 8689 5).
 */
package org.depesche.dsn;
