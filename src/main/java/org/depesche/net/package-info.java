/**
 * What the Internet-facing listeners (SMTP, the MTA-STS policy host) share
 * to stay within their limits (THREATS T14): the caps on connections in
 * total and per IP address, and the plumbing of accept loops and shutdown.
 */
package org.depesche.net;
