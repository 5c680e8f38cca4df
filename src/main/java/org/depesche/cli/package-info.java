/**
 * The command line: {@code depesche quickstart | serve | user | alias |
 * domain | queue | check-config}. Every command that works on an
 * installation takes {@code --config FILE} through {@link
 * org.depesche.cli.ConfigOption}. Errors a user can fix (bad flags, a bad
 * config file, a refused directory change) are one line on stderr and exit
 * code 2; passwords never come from the command line, where other users
 * could read them in the process list. Everything printed passes through
 * {@link org.depesche.cli.PrintableWriter}, so peer-controlled text (replies,
 * DNS, stored files) never reaches a terminal as an escape sequence; {@code
 * probe --json} makes its string values printable before encoding them.
 */
package org.depesche.cli;
