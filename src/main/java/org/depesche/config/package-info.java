/**
 * The configuration: one TOML file (TOML 1.0) read into records that carry
 * their own documentation ({@link org.depesche.config.Doc}), from which the
 * README's configuration reference and the commented example file are
 * generated. Every error in the file is reported as one line
 * "file:line: message". Listener addresses follow RFC 5321 4.5.4 and
 * RFC 8314 3.3 for the standard ports; limits follow RFC 5321 4.5.3.
 */
package org.depesche.config;
