#!/usr/bin/env bash
# openssl s_client against STARTTLS on the MX port: TLS 1.3 with the
# configured certificate; TLS 1.1 and a TLS 1.2 CBC suite are refused.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start
say "MX port $MX_PORT, certificate $CONF_DIR/tls/cert.pem"

fingerprint() { openssl x509 -noout -fingerprint -sha256 "$@" 2>/dev/null | sed 's/.*=//'; }

# s_client ARGS... - a STARTTLS handshake; stdin closed so it ends at once.
s_client() {
  timeout 30 openssl s_client -starttls smtp -connect "127.0.0.1:$MX_PORT" \
    -servername "$HOSTNAME_FQDN" "$@" </dev/null 2>&1
}

# s_client prints "Protocol : TLSvX" even for a failed handshake; a session
# exists only when the "New, ..." line names a cipher rather than (NONE).
has_session() { grep -Eq '^New, .*Cipher is [A-Z0-9_-]+$' "$1"; }
negotiated() { has_session "$1" && grep -Eq "^ *Protocol *: $2\$|^New, $2, " "$1"; }

s_client >"$WORK/tls13.txt"
check "s_client negotiated TLSv1.3" negotiated "$WORK/tls13.txt" 'TLSv1\.3'
check "with a TLS 1.3 suite" grep -Eq '^New, TLSv1\.3, Cipher is TLS_' "$WORK/tls13.txt"
served=$(fingerprint <"$WORK/tls13.txt")
configured=$(fingerprint -in "$CONF_DIR/tls/cert.pem")
check "the served certificate is tls/cert.pem (sha256 $configured)" test -n "$served" -a "$served" = "$configured"
[ "$CHECKS_FAILED" -eq 0 ] || sed 's/^/  | /' "$WORK/tls13.txt" | head -n 40

s_client -tls1_2 >"$WORK/tls12.txt"
check "TLS 1.2 is still accepted" negotiated "$WORK/tls12.txt" 'TLSv1\.2'
cipher=$(sed -n 's/^ *Cipher *: *//p' "$WORK/tls12.txt" | head -n 1)
check "the TLS 1.2 cipher is ECDHE with AES-GCM or CHACHA20 ($cipher)" matches "$cipher" '^ECDHE-.*(GCM|CHACHA20)'

# OpenSSL 3 refuses TLS 1.1 on its own side at its default security level;
# level 0 makes the client offer it, so a failure is the server's refusal.
s_client -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' >"$WORK/tls11.txt"
check "TLS 1.1 is refused (no session negotiated)" not has_session "$WORK/tls11.txt"
check "TLS 1.1 handshake ends in a protocol alert or error" grep -Eqi 'alert|error|no protocols available|wrong version' "$WORK/tls11.txt"

s_client -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA' >"$WORK/cbc.txt"
check "a TLS 1.2 client offering only CBC suites is refused" not has_session "$WORK/cbc.txt"

# The submission port serves the same certificate.
timeout 30 openssl s_client -starttls smtp -connect "127.0.0.1:$SUB_PORT" </dev/null >"$WORK/sub.txt" 2>&1
check "STARTTLS on the submission port serves the same certificate" test "$(fingerprint <"$WORK/sub.txt")" = "$configured"
timeout 30 openssl s_client -connect "127.0.0.1:$SUBS_PORT" </dev/null >"$WORK/subs.txt" 2>&1
check "implicit TLS on the submissions port serves the same certificate" test "$(fingerprint <"$WORK/subs.txt")" = "$configured"

finish
