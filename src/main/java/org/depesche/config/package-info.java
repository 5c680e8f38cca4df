/**
 * The configuration as values: the {@link org.depesche.config.Config}
 * records (one per TOML table, each carrying its documentation in
 * {@link org.depesche.config.Doc}, defaults in its compact constructor),
 * {@link org.depesche.config.Limits} and the value syntaxes the running
 * server reads ({@link org.depesche.config.HostPort},
 * {@link org.depesche.config.DnsServerAddress},
 * {@link org.depesche.config.HostName}). Every layer reads these, so this
 * package depends on no other Depesche package (PackageCyclesTest); reading,
 * checking and documenting the file is {@code org.depesche.configfile},
 * which sits above the packages whose values it checks. Listener addresses
 * follow RFC 5321 4.5.4 and RFC 8314 3.3 for the standard ports; limits
 * follow RFC 5321 4.5.3.
 */
package org.depesche.config;
