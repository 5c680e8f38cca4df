#!/usr/bin/env bash
# Cold vs warm MX + TLSA lookups through Depesche's validating resolver
# against the in-process signed test DNS (root, .test, N signed domains) on
# loopback. Prints figures, asserts nothing. See bench/dns-lookups.md.
#   bench/dns-lookups.sh [DOMAINS] [ROUND_TRIP_MS]     e.g. bench/dns-lookups.sh 50 20
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
# shellcheck source=scripts/find-jdk.sh
. scripts/find-jdk.sh
set +u; depesche_find_jdk || exit 1; set -u
./mvnw -B -q -DskipTests test-compile >&2
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  org.depesche.dns.DnsLookupBench "${1:-50}" "${2:-0}"
