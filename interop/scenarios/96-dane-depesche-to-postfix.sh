#!/usr/bin/env bash
# DANE from Depesche, received by a stock Postfix (RFC 7672): NSD serves
# example.test signed with ldns-signzone, Unbound on loopback answers
# Depesche's queries, and Depesche delivers outbound mail to Postfix with
# its default TLS level "dane".
#   pf.example.test       TLSA 3 1 1 of Postfix's key  -> dane-ee, delivered into Postfix's Maildir
#   pfwrong.example.test  TLSA 3 1 1 of another key    -> deferred, Postfix receives no message
#   pfbogus.example.test  TLSA of Postfix's key forged after signing (RRSIG fails)
#                                                      -> deferred, never falls back, Postfix receives nothing
# First with [dns] mode "validate" (Depesche validates from the zone's DS as
# trust anchor, Unbound only forwards), then with mode "trust-ad" (Unbound
# validates, Depesche trusts its AD bit). Both MX hosts are Postfix on
# 127.0.0.1:$PF_PORT ([delivery] smtp_port); TLSA records are published at
# _25._tcp and at _$PF_PORT._tcp of each MX host, and the scenario reports
# which name Depesche asked for.
. "$(dirname "$0")/../lib/common.sh"
. "$LIB/dnssec.sh"
. "$LIB/postfix.sh"

dane_scenario_prerequisites
mx_apart_from_postfix
depesche_setup alice@example.test
GOOD=user@pf.example.test WRONG=user@pfwrong.example.test BOGUS=user@pfbogus.example.test

# --- Postfix: receives for pf.example.test and pfwrong.example.test, with its own certificate.
postfix_tls_setup mx.pf.example.test \
  "virtual_mailbox_domains = pf.example.test, pfwrong.example.test, pfbogus.example.test" \
  "virtual_mailbox_maps = inline:{ $GOOD=pf.example.test/user/, $WRONG=pfwrong.example.test/user/, $BOGUS=pfbogus.example.test/user/ }"

# --- DNS.
dns_init
good_hash=$(tlsa_311 "$WORK/postfix-cert.pem")
other_hash=$(other_key_311)
[ ${#good_hash} -eq 64 ] && [ ${#other_hash} -eq 64 ] || abort "could not compute TLSA hashes"
{
  zone_head example.test
  cat <<EOF
@                 MX    10 mx.example.test.
mx                A     $MX_ADDR
pf                MX    10 mx.pf.example.test.
mx.pf             A     127.0.0.1
pfwrong           MX    10 mx.pfwrong.example.test.
mx.pfwrong        A     127.0.0.1
pfbogus           MX    10 mx.pfbogus.example.test.
mx.pfbogus        A     127.0.0.1
EOF
  for port in 25 "$PF_PORT"; do
    echo "_$port._tcp.mx.pf       TLSA  3 1 1 $good_hash"
    echo "_$port._tcp.mx.pfwrong  TLSA  3 1 1 $other_hash"
    echo "_$port._tcp.mx.pfbogus  TLSA  3 1 1 $other_hash"
  done
} >"$WORK/example.test.zone"
dns_sign example.test "$WORK/example.test.zone" || abort "ldns-signzone failed"
for port in 25 "$PF_PORT"; do
  dns_forge example.test "_$port._tcp.mx.pfbogus.example.test" TLSA "$other_hash" "$good_hash" ||
    abort "could not forge _$port._tcp.mx.pfbogus.example.test TLSA"
done
dns_start example.test
check "Unbound validates the MX of pf.example.test (AD bit)" validated pf.example.test MX
check "Unbound validates _$PF_PORT._tcp.mx.pf.example.test TLSA (AD bit)" validated "_$PF_PORT._tcp.mx.pf.example.test" TLSA

postfix_start || abort "Postfix did not listen on $PF_ADDR:$PF_PORT"
# The receiving side alone first, so that a failure below points at Depesche.
marker=$(new_marker)
check "Postfix itself takes a message for $GOOD over STARTTLS from swaks" \
  postfix_selftest postfix-probe "$GOOD" "$marker"
toml_set min_backoff '"2s"' queue
toml_set max_backoff '"5s"' queue
depesche_to_postfix example.test
unbound_mark
depesche_start
say "Postfix $PF_ADDR:$PF_PORT ($(postconf -d -h mail_version)), NSD 127.0.0.1:$NSD_PORT, Unbound 127.0.0.1:$UNBOUND_PORT, Depesche submission 127.0.0.1:$SUB_PORT"

submit() {  # NAME TO MARKER
  swaks_run "$1" --port "$SUB_PORT" --tls --auth PLAIN --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
    --from "$USER_ADDR" --to "$2" --header "Subject: $3" --body "body $3"
}
# attempts_at_least RCPT REGEX N FILE - `queue show` of the queued message
# for RCPT, written to FILE, has at least N lines matching REGEX.
attempts_at_least() {
  local id
  for id in $(queue_ids); do
    depesche_cli queue show "$id" >"$4" 2>&1
    if grep -qF "$1" "$4"; then
      [ "$(grep_count "$2" "$4")" -ge "$3" ]
      return
    fi
  done
  return 1
}
DELIVERED_DANE="rcpt=$GOOD outcome=delivered detail=\"delivered to mx\.pf\.example\.test \[127\.0\.0\.1\] TLSv1\.[23] [^ ]+ auth=dane-ee: 250 "
PF_TLS_IN="TLS connection established from [^ ]*\[127\.0\.0\.1\]: TLSv1\.[23]"

delivered_check() {  # MODE
  local mode=$1 marker file received dane_before tls_before
  dane_before=$(grep_count "$DELIVERED_DANE" "$SERVER_LOG")
  tls_before=$(grep_count "$PF_TLS_IN" "$PFLOG")
  marker=$(new_marker)
  submit "good-$mode" "$GOOD" "$marker"
  check "[$mode] Depesche accepts the submission for $GOOD (250 after DATA)" \
    matches "$(data_reply "good-$mode")" '^250 '
  check "[$mode] the message lands in Postfix's Maildir for $GOOD" pf_wait "$GOOD" "$marker" 60
  check "[$mode] it arrived once" test "$(pf_count "$GOOD" "$marker")" -eq 1
  check "[$mode] Depesche logs the delivery to mx.pf.example.test with auth=dane-ee" \
    wait_until 30 more_than "$dane_before" "$DELIVERED_DANE" "$SERVER_LOG"
  file=$(grep -lF -- "$marker" "$(pf_maildir "$GOOD")"/new/* 2>/dev/null | head -n 1)
  if [ -n "$file" ]; then
    received=$(first_received "$file")
    check "[$mode] Postfix's Received header shows TLS from Depesche ($received)" \
      matches "$received" 'from mx\.example\.test .*using TLSv1\.[23] .*with ESMTPS'
  fi
  check "[$mode] Postfix logs a TLS connection from Depesche" \
    more_than "$tls_before" "$PF_TLS_IN" "$PFLOG"
}

# --- Validate mode: the right TLSA.
delivered_check validate
asked=""
for port in 25 "$PF_PORT"; do
  unbound_asked "_$port._tcp.mx.pf.example.test" TLSA && asked="$asked _$port._tcp.mx.pf.example.test"
done
check "Depesche asked Unbound for the TLSA records of mx.pf.example.test (asked:${asked:- nothing})" test -n "$asked"

# --- A TLSA of another key: Depesche defers, Postfix gets no message.
marker=$(new_marker)
pf_mark=$(wc -l <"$PFLOG")
submit wrong "$WRONG" "$marker"
check "Depesche accepts the submission for $WRONG" matches "$(data_reply wrong)" '^250 '
SHOWN="$WORK/show-wrong.txt"
WRONG_ATTEMPT="deferred +mx\.pfwrong\.example\.test \[127\.0\.0\.1\] TLSv1\.[23] [^ ]+, auth none, .*TLSA records for mx\.pfwrong\.example\.test do not match the certificate it presented"
check "queue show: the message for $WRONG is deferred at mx.pfwrong.example.test because the TLSA records do not match" \
  wait_until 60 attempts_at_least "$WRONG" "$WRONG_ATTEMPT" 1 "$SHOWN"
check "queue show: a retry (back-off 2-5 s) is deferred for the same reason" \
  wait_until 60 attempts_at_least "$WRONG" "$WRONG_ATTEMPT" 2 "$SHOWN"
check "queue show: the recipient is still pending" grep -Eq "^ *pending +$WRONG " "$SHOWN"
[ "$CHECKS_FAILED" -eq 0 ] || sed 's/^/  | /' "$SHOWN" | head -n 20
check "Depesche logs the refusal with auth=none at mx.pfwrong.example.test" \
  grep -Eq "rcpt=$WRONG outcome=deferred .*TLSA records for mx\.pfwrong\.example\.test do not match" "$SERVER_LOG"
tail -n +"$((pf_mark + 1))" "$PFLOG" >"$WORK/postfix-wrong.log"
check "Postfix saw Depesche connect and start TLS for the wrong-TLSA attempts" \
  grep -Eq "disconnect from [^ ]*\[127\.0\.0\.1\] ehlo=[0-9]+ starttls=1 " "$WORK/postfix-wrong.log"
check "in those sessions Depesche sent no MAIL, RCPT or DATA (no byte of the message)" \
  not grep -Eq "disconnect from .* (mail|rcpt|data|bdat)=" "$WORK/postfix-wrong.log"
check "Postfix has no record of a recipient $WRONG" not grep -q "to=<$WRONG>" "$PFLOG"

# --- A forged TLSA (bogus): Depesche defers that MX and does not fall back.
marker_bogus=$(new_marker)
submit bogus "$BOGUS" "$marker_bogus"
check "Depesche accepts the submission for $BOGUS" matches "$(data_reply bogus)" '^250 '
BSHOWN="$WORK/show-bogus.txt"
# VIA "-": no connection was made.
BOGUS_ATTEMPT="deferred +- +the TLSA lookup for _[0-9]+\._tcp\.mx\.pfbogus\.example\.test failed DNSSEC validation .*not falling back to unauthenticated TLS"
check "queue show: $BOGUS deferred without connecting: TLSA lookup failed DNSSEC validation, no fallback" \
  wait_until 60 attempts_at_least "$BOGUS" "$BOGUS_ATTEMPT" 1 "$BSHOWN"
check "queue show: a retry is deferred for the same reason" \
  wait_until 60 attempts_at_least "$BOGUS" "$BOGUS_ATTEMPT" 2 "$BSHOWN"
[ "$CHECKS_FAILED" -eq 0 ] || sed 's/^/  | /' "$BSHOWN" | head -n 20
check "queue show: the recipient is still pending" grep -Eq "^ *pending +$BOGUS " "$BSHOWN"
check "Postfix has no record of a recipient $BOGUS" not grep -q "to=<$BOGUS>" "$PFLOG"

# --- trust-ad mode: Unbound validates, Depesche trusts its AD bit.
depesche_stop
toml_set mode '"trust-ad"' dns
depesche_start
delivered_check trust-ad
# Unbound now does the validating: it answers SERVFAIL for the forged TLSA.
bogus_before=$(grep_count "deferred +- " "$BSHOWN")
check "[trust-ad] $BOGUS is deferred again without connecting (Unbound refuses the forged TLSA)" \
  wait_until 60 attempts_at_least "$BOGUS" "deferred +- +.*mx\.pfbogus\.example\.test.*not falling back" \
  "$((bogus_before + 1))" "$BSHOWN"
grep -E "deferred +- " "$BSHOWN" | tail -n 1 | sed 's/  */ /g; s/^/  | /'
check "after all that, nothing arrived in Postfix's Maildir for $WRONG" test "$(pf_count "$WRONG" "$marker")" -eq 0
check "nor for $BOGUS" test "$(pf_count "$BOGUS" "$marker_bogus")" -eq 0

if [ "$CHECKS_FAILED" -gt 0 ]; then
  echo "  --- Postfix log"; tail -n 30 "$PFLOG" | sed 's/^/  | /'
  echo "  --- Unbound log (last lines)"; tail -n 15 "$DNS_DIR/unbound.log" | sed 's/^/  | /'
fi
finish
