#!/usr/bin/env bash
# Issue 4's sending side against a stock Postfix (3.7: no REQUIRETLS) and
# real DNS: NSD serves example.test signed with ldns-signzone, and below it
# plain.example.test, delegated without a DS (provably unsigned, no
# MTA-STS); Unbound resolves both; Depesche validates from the zone's DS.
#   a) alice@secure.example.test (`domain secure`) -> user@pf.example.test
#      (TLSA 3 1 1 of Postfix's key): delivered with auth=dane-ee over TLS,
#      MAIL FROM without REQUIRETLS, since Postfix does not offer it.
#   b) `MAIL FROM:<alice@example.test> REQUIRETLS` (lib/rawsmtp.py, STARTTLS
#      + AUTH on submission) -> rtls@pf.example.test: Postfix sees EHLO,
#      STARTTLS, EHLO, QUIT and no MAIL; alice gets a 5.7.30 bounce without
#      the message's subject or body.
#   c) bob@example.test (`user secure`, verify) -> user@plain.example.test:
#      nothing is sent (no connection), bob gets a bounce that says the MX
#      of plain.example.test cannot be authenticated.
#   d) `depesche probe`: pf.example.test DANE-verified, plain.example.test
#      encrypted but unverified (plaintext with --no-connect, undeliverable
#      for a secure sender), also with --json.
# Postfix runs with debug_peer_list = 127.0.0.1, so its log shows every
# command Depesche sends ("< host[127.0.0.1]: MAIL FROM:<...>").
. "$(dirname "$0")/../lib/common.sh"
. "$LIB/dnssec.sh"
. "$LIB/postfix.sh"

dane_scenario_prerequisites
mx_apart_from_postfix
depesche_setup alice@example.test
DANE_RCPT=user@pf.example.test RTLS_RCPT=rtls@pf.example.test PLAIN_RCPT=user@plain.example.test
SECURE_ALICE="$USER_LOCAL@secure.$USER_DOMAIN"
BOB="bob@$USER_DOMAIN" BOB_PASS="bob-$RANDOM$RANDOM-secret"

# --- Postfix: receives for pf.example.test and plain.example.test.
postfix_tls_setup mx.pf.example.test \
  "debug_peer_list = 127.0.0.1" \
  "virtual_mailbox_domains = pf.example.test, plain.example.test" \
  "virtual_mailbox_maps = inline:{ $DANE_RCPT=pf.example.test/user/, $RTLS_RCPT=pf.example.test/rtls/, $PLAIN_RCPT=plain.example.test/user/ }"

# --- DNS: the signed zone with the insecure delegation, and the unsigned child.
dns_init
pf_hash=$(tlsa_311 "$WORK/postfix-cert.pem")
[ ${#pf_hash} -eq 64 ] || abort "could not compute the TLSA hash of Postfix's key"
{
  zone_head example.test
  cat <<EOF
@                 MX    10 mx.example.test.
mx                A     $MX_ADDR
secure            MX    10 mx.example.test.
pf                MX    10 mx.pf.example.test.
mx.pf             A     127.0.0.1
_25._tcp.mx.pf    TLSA  3 1 1 $pf_hash
_$PF_PORT._tcp.mx.pf  TLSA  3 1 1 $pf_hash
plain             NS    ns.plain.example.test.
ns.plain          A     127.0.0.1
EOF
} >"$WORK/example.test.zone"
{
  zone_head plain.example.test
  printf '@                 MX    10 mx.plain.example.test.\nmx                A     127.0.0.1\n'
} >"$WORK/plain.example.test.zone"
dns_sign example.test "$WORK/example.test.zone" || abort "ldns-signzone failed"
dns_unsigned plain.example.test "$WORK/plain.example.test.zone"
dns_start example.test plain.example.test
check "Unbound validates the MX of pf.example.test (AD bit)" validated pf.example.test MX
check "Unbound answers the MX of plain.example.test without the AD bit (unsigned zone)" \
  answered_insecure plain.example.test MX
check "plain.example.test has no _mta-sts TXT record" \
  test "$(unbound_rcode _mta-sts.plain.example.test TXT)" = NXDOMAIN

postfix_start || abort "Postfix did not listen on $PF_ADDR:$PF_PORT"
marker=$(new_marker)
check "Postfix itself takes a message for $PLAIN_RCPT over STARTTLS from swaks" \
  postfix_selftest postfix-probe "$PLAIN_RCPT" "$marker"
check "Postfix does not offer REQUIRETLS (Postfix $(postconf -d -h mail_version))" \
  not grep -Eq '^<~ +250[- ]REQUIRETLS' "$WORK/postfix-probe.swaks"

# --- Depesche: secure addresses, DNS through Unbound, Postfix's port.
depesche_cli domain secure "$USER_DOMAIN" "secure.$USER_DOMAIN" >/dev/null ||
  abort "depesche domain secure $USER_DOMAIN secure.$USER_DOMAIN failed"
depesche_cli user add "$BOB" --password-stdin <<<"$BOB_PASS" >/dev/null || abort "depesche user add $BOB failed"
depesche_cli user secure "$BOB" >/dev/null || abort "depesche user secure $BOB failed"
depesche_to_postfix example.test
depesche_start
say "Postfix $PF_ADDR:$PF_PORT, NSD 127.0.0.1:$NSD_PORT, Unbound 127.0.0.1:$UNBOUND_PORT, Depesche submission 127.0.0.1:$SUB_PORT"

# Postfix's verbose lines for what the client sent: "< name[127.0.0.1]: COMMAND".
pf_commands() { since_mark "$PFLOG" "$1" | sed -n 's/.*smtpd\[[0-9]*\]: < [^ ]*\[127\.0\.0\.1\]: //p'; }
# bounce_for ADDRESS TEXT - the file in ADDRESS's Maildir that is a bounce mentioning TEXT.
bounce_for() {
  local dir f
  dir=$(mailbox_dir "$1")
  for f in "$dir"/new/* "$dir"/cur/*; do
    [ -f "$f" ] && grep -qF -- "$2" "$f" && grep -qi '^Content-Type: multipart/report' "$f" && { echo "$f"; return 0; }
  done
  return 1
}
# bounce_text FILE - the bounce's text/plain part, lines joined by single spaces.
bounce_text() { sed -n '/^Content-Type: text\/plain/,/^--/p' "${1:-/dev/null}" | tr -s ' \n' ' '; }

# --- a) secure sender to the DANE domain.
marker=$(new_marker)
pf_mark=$(log_mark "$PFLOG")
swaks_run secure-dane --port "$SUB_PORT" --tls --auth PLAIN --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
  --from "$SECURE_ALICE" --to "$DANE_RCPT" --header "From: $SECURE_ALICE" --header "Subject: $marker" --body "body $marker"
check "a) swaks submits from $SECURE_ALICE to $DANE_RCPT (STARTTLS + AUTH): 250 after DATA" \
  matches "$(data_reply secure-dane)" '^250 '
check "a) it is stored with floor AUTHENTICATED because the sender is a secure address" \
  grep -q "event=transport-demand .*floor=AUTHENTICATED because=\"the sender $SECURE_ALICE is a secure address\"" "$SERVER_LOG"
check "a) it lands in Postfix's Maildir for $DANE_RCPT" pf_wait "$DANE_RCPT" "$marker" 60
check "a) once" test "$(pf_count "$DANE_RCPT" "$marker")" -eq 1
check "a) Depesche logs the delivery to mx.pf.example.test over TLS with auth=dane-ee" \
  wait_until 20 grep -Eq "rcpt=$DANE_RCPT outcome=delivered detail=\"delivered to mx\.pf\.example\.test \[127\.0\.0\.1\] TLSv1\.[23] [^ ]+ auth=dane-ee: 250 " "$SERVER_LOG"
since_mark "$PFLOG" "$pf_mark" >"$WORK/postfix-a.log"
check "a) Postfix logs the TLS connection from Depesche" \
  grep -Eq "TLS connection established from [^ ]*\[127\.0\.0\.1\]: TLSv1\.[23]" "$WORK/postfix-a.log"
file=$(grep -lF -- "$marker" "$(pf_maildir "$DANE_RCPT")"/new/* 2>/dev/null | head -n 1)
check "a) Postfix's Received header shows TLS from Depesche" \
  matches "$(first_received "${file:-/dev/null}")" 'from mx\.example\.test .*using TLSv1\.[23] .*with ESMTPS'
mail_cmd=$(pf_commands "$pf_mark" | grep -i '^MAIL FROM:' | head -n 1)
check "a) Postfix received MAIL FROM:<$SECURE_ALICE> without the REQUIRETLS parameter ($mail_cmd)" \
  matches "$mail_cmd" "^MAIL FROM:<$SECURE_ALICE>( SIZE=[0-9]+| BODY=[0-9A-Z]+| SMTPUTF8)*\$"

# --- b) REQUIRETLS from the client: Postfix does not offer it.
marker=$(new_marker) body_marker="body-$(new_marker)" msgid="<$(new_marker)@client.interop.test>"
pf_mark=$(log_mark "$PFLOG")
auth=$(printf '\0%s\0%s' "$USER_ADDR" "$USER_PASS" | base64 -w0)
python3 "$LIB/rawsmtp.py" 127.0.0.1 "$SUB_PORT" "EHLO client.interop.test" starttls "EHLO client.interop.test" \
  "AUTH PLAIN $auth" "MAIL FROM:<$USER_ADDR> REQUIRETLS" "RCPT TO:<$RTLS_RCPT>" DATA \
  "raw:From: $USER_ADDR\r\nTo: $RTLS_RCPT\r\nSubject: $marker\r\nMessage-ID: $msgid\r\n\r\n$body_marker\r\n.\r\n" QUIT \
  >"$WORK/rtls.txt" 2>&1
reply() { grep -A1 -F "C: $1" "$WORK/rtls.txt" | sed -n 2p; }
check "b) submission inside TLS: AUTH 235, MAIL FROM ... REQUIRETLS 250" \
  eval 'matches "$(reply AUTH)" "^S: 235 " && matches "$(reply "MAIL FROM")" "^S: 250 "'
queued=$(sed -n 's/^S: 250 2\.0\.0 Ok: queued as \([^ ]*\).*/\1/p' "$WORK/rtls.txt" | head -n 1)
check "b) the message is queued (${queued:-no id}) and stored with requiretls=true" \
  grep -q "event=transport-demand queue_id=${queued:-none} requiretls=true" "$SERVER_LOG"
[ -n "$queued" ] || sed 's/^/  | /' "$WORK/rtls.txt"
check "b) $USER_ADDR gets a bounce for $RTLS_RCPT" wait_until 60 bounce_for "$USER_ADDR" "$msgid"
bounce=$(bounce_for "$USER_ADDR" "$msgid")
check "b) the bounce has status 5.7.30 for $RTLS_RCPT" \
  eval 'grep -q "^Status: 5\.7\.30" "$bounce" && grep -qi "^Final-Recipient: rfc822; *$RTLS_RCPT" "$bounce"'
text=$(bounce_text "$bounce")
check "b) the bounce's text says nothing was sent because mx.pf.example.test does not offer REQUIRETLS" \
  matches "$text" "Nothing was sent to pf\.example\.test: .* mx\.pf\.example\.test does not offer REQUIRETLS"
check "b) the bounce contains neither the body text nor the subject (RFC 8689 5)" \
  not grep -qF -e "$body_marker" -e "$marker" "$bounce"
check "b) it attaches only header fields (text/rfc822-headers with the Message-ID, no message/rfc822)" \
  eval 'grep -qi "^Content-Type: text/rfc822-headers" "$bounce" && not grep -qi "^Content-Type: message/rfc822" "$bounce"'
[ "$CHECKS_FAILED" -eq 0 ] || sed 's/^/  | /' "${bounce:-/dev/null}" | head -n 60
since_mark "$PFLOG" "$pf_mark" >"$WORK/postfix-b.log"
check "b) Postfix saw Depesche's session: EHLO, STARTTLS, EHLO, QUIT" \
  test "$(pf_commands "$pf_mark" | tr '\n' ' ' | sed 's/EHLO [^ ]*/EHLO/g')" = "EHLO STARTTLS EHLO QUIT "
check "b) and no MAIL, RCPT or DATA (disconnect line)" \
  eval 'grep -Eq "disconnect from .*ehlo=2 starttls=1 quit=1 commands=4" "$WORK/postfix-b.log" &&
        not grep -Eq "disconnect from .* (mail|rcpt|data|bdat)=" "$WORK/postfix-b.log"'
check "b) Postfix has no record of a recipient $RTLS_RCPT and no message in its Maildir" \
  eval 'not grep -q "to=<$RTLS_RCPT>" "$PFLOG" && test "$(pf_count "$RTLS_RCPT" "$body_marker")" -eq 0'

# --- c) secure sender to the unsigned domain.
marker=$(new_marker)
pf_mark=$(log_mark "$PFLOG")
swaks_run secure-plain --port "$SUB_PORT" --tls --auth PLAIN --auth-user "$BOB" --auth-password "$BOB_PASS" \
  --from "$BOB" --to "$PLAIN_RCPT" --header "Subject: $marker" --body "body $marker"
check "c) swaks submits from $BOB (user secure) to $PLAIN_RCPT: 250 after DATA" \
  matches "$(data_reply secure-plain)" '^250 '
check "c) it is stored with floor AUTHENTICATED because $BOB is a secure address" \
  grep -q "event=transport-demand .*floor=AUTHENTICATED because=\"the sender $BOB is a secure address\"" "$SERVER_LOG"
check "c) $BOB gets a bounce for $PLAIN_RCPT" wait_until 60 bounce_for "$BOB" "$marker"
bounce=$(bounce_for "$BOB" "$marker")
text=$(bounce_text "$bounce")
check "c) the bounce's text names plain.example.test and mx.plain.example.test and says it cannot be authenticated" \
  matches "$text" "Nothing was sent to plain\.example\.test.* the MX records of plain\.example\.test are not DNSSEC-signed and plain\.example\.test publishes no MTA-STS policy, so mx\.plain\.example\.test cannot be authenticated"
check "c) the bounce gives the reason: $BOB is a secure address" matches "$text" "because the sender $BOB is a secure address"
check "c) status 5.7.10, at once (no retry)" grep -q "^Status: 5\.7\.10" "${bounce:-/dev/null}"
[ "$CHECKS_FAILED" -eq 0 ] || sed 's/^/  | /' "${bounce:-/dev/null}" | head -n 40
check "c) Postfix saw no connection at all meanwhile" not grep -q "connect from" <(since_mark "$PFLOG" "$pf_mark")
check "c) nothing arrived for $PLAIN_RCPT" test "$(pf_count "$PLAIN_RCPT" "$marker")" -eq 0

# --- d) depesche probe.
probe() { local name=$1; shift; depesche_cli probe "$@" >"$WORK/probe-$name.out" 2>&1; }
json_level() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["level"])' "$WORK/probe-$1.out" 2>/dev/null; }
probe dane pf.example.test
check "d) probe pf.example.test: Level DANE-verified, auth dane-ee, no REQUIRETLS" \
  eval 'grep -Eq "^Level: +DANE-verified" "$WORK/probe-dane.out" && grep -q "auth dane-ee, no REQUIRETLS" "$WORK/probe-dane.out"'
probe dane-json "$DANE_RCPT" --json
check "d) probe --json $DANE_RCPT parses and gives level dane-verified" test "$(json_level dane-json)" = dane-verified
probe plain plain.example.test
check "d) probe plain.example.test: Level encrypted but unverified (Postfix offers STARTTLS, nothing vouches)" \
  grep -Eq "^Level: +encrypted but unverified" "$WORK/probe-plain.out"
check "d) it says Postfix's certificate (CN only, as \`openssl req\` made it) has no DNS name in subjectAltName" \
  grep -Eq "^ +certificate without a DNS name in subjectAltName \(not PKIX-valid\)" "$WORK/probe-plain.out"
probe plain-json plain.example.test --json
check "d) probe --json plain.example.test gives level encrypted" test "$(json_level plain-json)" = encrypted
probe plain-nc plain.example.test --json --no-connect
check "d) probe --json --no-connect plain.example.test gives level plaintext" test "$(json_level plain-nc)" = plaintext
probe plain-secure plain.example.test --json --secure-sender
check "d) probe --json --secure-sender plain.example.test gives level undeliverable" \
  test "$(json_level plain-secure)" = undeliverable
probe dane-rtls pf.example.test --json --require-tls
check "d) probe --json --require-tls pf.example.test gives level undeliverable (no REQUIRETLS offered)" \
  test "$(json_level dane-rtls)" = undeliverable
if [ "$CHECKS_FAILED" -gt 0 ]; then
  for f in "$WORK"/probe-*.out; do echo "  --- $(basename "$f")"; head -n 30 "$f" | sed 's/^/  | /'; done
  echo "  --- Postfix log"; grep -v ': > \|: < \|smtpd\[[0-9]*\]: [a-z_]*: ' "$PFLOG" | tail -n 30 | sed 's/^/  | /'
fi
finish
