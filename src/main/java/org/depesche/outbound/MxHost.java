package org.depesche.outbound;

/**
 * One host to try for a domain: its name and whether the lookup that named
 * it was DNSSEC-secure (the MX RRset, or for an implicit MX the secure
 * proof that the domain has no MX records).
 */
record MxHost(String name, int preference, boolean secure) {
}
