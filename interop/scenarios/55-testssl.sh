#!/usr/bin/env bash
# testssl.sh against every TLS listener of a quickstart server: STARTTLS on
# the MX and submission ports (-t smtp), implicit TLS on 465 and the MTA-STS
# HTTPS host. Checked: protocols (-p), cipher categories (-s), forward
# secrecy (-f), server defaults (-S: certificate, session resumption) and
# the vulnerability checks (-U, client-initiated renegotiation among them).
# Any line testssl marks "NOT ok" or "VULNERABLE" fails, except the few that
# only say the quickstart certificate is self-signed (listed below).
. "$(dirname "$0")/../lib/common.sh"

TESTSSL=$(command -v testssl || command -v testssl.sh) || skip "testssl.sh is not installed (Debian package testssl.sh)"
depesche_setup alice@example.test
mta_sts_configure
depesche_start
mta_sts_wait
say "MX $MX_PORT, submission $SUB_PORT, submissions $SUBS_PORT, MTA-STS $STS_PORT; $($TESTSSL --version 2>/dev/null | grep -o 'testssl *[0-9.]*' | head -n 1)"

# What testssl flags that is no fault of the server but of the quickstart
# certificate, which is self-signed on purpose (a DANE TLSA 3 1 1 record
# authenticates it, THREATS T5/T6; no CA is involved):
#  - "Chain of trust  NOT ok (self signed)": no CA signed it;
#  - "NOT ok -- neither CRL nor OCSP URI provided" (under "OCSP URI"): with
#    no issuer there is nobody to ask about revocation, so the certificate
#    names neither a CRL distribution point nor an OCSP responder.
# Each is an extended regular expression for a whole flagged line, without
# testssl's indentation. Nothing else is allowed.
ALLOWED=(
  'Chain of trust +NOT ok \(self signed\)'
  'NOT ok -- neither CRL nor OCSP URI provided'
)

# Protocols, cipher categories, forward secrecy, server defaults (the
# certificate, resumption) and every vulnerability check (-U, among them
# "Secure Client-Initiated Renegotiation"). --ip keeps testssl off DNS while
# it still sends the host name as SNI and checks the certificate against it.
TESTSSL_ARGS=(--quiet --color 0 --warnings off --nodns min --sneaky --ip=127.0.0.1 -p -s -f -S -U)

# run_testssl NAME PORT [ARGS...] - in the background, into $WORK/NAME.txt. Each run
# spends most of its minute waiting on sockets, so the four run side by side.
run_testssl() {
  local name=$1 port=$2
  shift 2
  ( start=$(date +%s)
    timeout 240 "$TESTSSL" "${TESTSSL_ARGS[@]}" "$@" "$HOSTNAME_FQDN:$port" >"$WORK/$name.txt" 2>&1
    echo "$? $(( $(date +%s) - start ))" >"$WORK/$name.rc" ) &
  TESTSSL_PIDS+=($!)
}

# judge NAME - one ok/FAIL line per check of one listener's report.
judge() {
  local name=$1 report="$WORK/$1.txt" rc secs
  read -r rc secs <"$WORK/$name.rc"
  check "$name: testssl ran to its end (${secs}s, exit $rc)" grep -q '^ Done ' "$report"
  check "$name: TLS 1.2 and 1.3 offered, nothing older" \
    sh -c "grep -Eq '^ TLS 1\.2 +offered' '$report' && grep -Eq '^ TLS 1\.3 +offered' '$report' &&
           ! grep -Eq '^ (SSLv2|SSLv3|TLS 1|TLS 1\.1) +offered' '$report'"
  check "$name: the certificate matches $HOSTNAME_FQDN" grep -Eq '^ Trust \(hostname\) +Ok' "$report"
  check "$name: Secure Client-Initiated Renegotiation not vulnerable" \
    grep -Eq '^ Secure Client-Initiated Renegotiation +not vulnerable \(OK\)' "$report"
  local line pattern allowed unexpected=0
  while IFS= read -r line; do
    allowed=""
    for pattern in "${ALLOWED[@]}"; do
      if printf '%s\n' "$line" | grep -Eqx "$pattern"; then allowed=1; break; fi
    done
    if [ -n "$allowed" ]; then
      printf '       (allowed, self-signed quickstart certificate: %s)\n' "$(printf '%s' "$line" | tr -s ' ')"
    else
      unexpected=$((unexpected + 1))
      printf '  | %s\n' "$line"
    fi
  done < <(grep -E 'NOT ok|VULNERABLE' "$report" | sed 's/^ *//; s/ *$//')
  check "$name: no other line marked NOT ok or VULNERABLE ($unexpected)" test "$unexpected" -eq 0
  [ "$CHECKS_FAILED" -eq 0 ] || [ -n "${SHOWN_REPORT:-}" ] || { SHOWN_REPORT=1; sed 's/^/  | /' "$report" | head -n 120; }
}

TESTSSL_PIDS=()
run_testssl mx-starttls "$MX_PORT" -t smtp
run_testssl submission-starttls "$SUB_PORT" -t smtp
run_testssl submissions-465 "$SUBS_PORT"
run_testssl mta-sts-https "$STS_PORT"
wait "${TESTSSL_PIDS[@]}" # not a bare wait: the server is a background job too
for name in mx-starttls submission-starttls submissions-465 mta-sts-https; do judge "$name"; done

# The server's side of the renegotiation check: JSSE's own refusal, on each SMTP listener.
for listener in SMTP SUBMISSION SUBMISSIONS; do
  check "server log: listener=$listener refused a client-initiated renegotiation" \
    grep -Eq "listener=$listener .*result=\"tls-failed: \(handshake_failure\) Client initiated renegotiation is not allowed\"" "$SERVER_LOG"
done

finish
