/**
 * depesche.toml (TOML 1.0): {@link org.depesche.configfile.ConfigLoader}
 * reads it into the {@code org.depesche.config} records and
 * {@link org.depesche.configfile.ConfigValidator} checks what types cannot,
 * asking each package to parse its own values ({@code TlsLevel.parse} in
 * {@code policy}, {@code Directory.Strictness.parse} in {@code directory},
 * {@code StsPolicy.MAX_AGE_LIMIT} in {@code mtasts}). Every error in the file
 * is one {@link org.depesche.configfile.ConfigException} with the line
 * "file:line: message", which the CLI prints with exit code 2.
 * {@link org.depesche.configfile.ConfigDocs} generates the README's
 * configuration reference and the commented example file from the records'
 * {@code @Doc} annotations and the defaults the loader applies. Only the CLI
 * depends on this package, so it may depend on any package below it without
 * closing a cycle.
 */
package org.depesche.configfile;
