#!/usr/bin/env bash
# DANE towards Depesche, checked by a stock Postfix (RFC 7672): NSD serves
# example.test signed with ldns-signzone, Unbound validates it with the
# zone's DS as trust anchor, and Postfix with smtp_tls_security_level = dane
# and smtp_dns_support_level = dnssec relays to Depesche's MX.
#   example.test           TLSA 3 1 1 of Depesche's key   -> Verified TLS, delivered
#   wrongkey.example.test  TLSA 3 1 1 of another key      -> deferred, nothing delivered
#   bogus.example.test     TLSA of Depesche's key forged  -> deferred, nothing delivered
#                          after signing (RRSIG fails)
# All three MX hosts are Depesche on $MX_ADDR:$MX_PORT (not Postfix's
# 127.0.0.1, else Postfix sees a mail loop); Postfix reaches them
# on that port through its transport map, so the TLSA name is
# _$MX_PORT._tcp.<mx host> (RFC 6698 3, as Postfix builds it for a port).
. "$(dirname "$0")/../lib/common.sh"
. "$LIB/dnssec.sh"
. "$LIB/postfix.sh"

dane_scenario_prerequisites
mx_apart_from_postfix
depesche_setup alice@example.test
for d in wrongkey.example.test bogus.example.test; do
  depesche_cli domain add "$d" >/dev/null || abort "depesche domain add $d failed"
done
depesche_cli user add bob@wrongkey.example.test --password-stdin <<<"$USER_PASS" >/dev/null ||
  abort "depesche user add bob@wrongkey.example.test failed"
depesche_cli user add carol@bogus.example.test --password-stdin <<<"$USER_PASS" >/dev/null ||
  abort "depesche user add carol@bogus.example.test failed"
CERT="$CONF_DIR/tls/cert.pem"

# --- DNS: the signed zone, NSD, Unbound.
dns_init
good_hash=$(tlsa_311 "$CERT")
other_hash=$(other_key_311)
[ ${#good_hash} -eq 64 ] && [ ${#other_hash} -eq 64 ] || abort "could not compute TLSA hashes"
{ zone_head example.test; cat <<EOF
@                 MX    10 mx.example.test.
mx                A     $MX_ADDR
_$MX_PORT._tcp.mx TLSA  3 1 1 $good_hash
wrongkey          MX    10 mx.wrongkey.example.test.
mx.wrongkey       A     $MX_ADDR
_$MX_PORT._tcp.mx.wrongkey TLSA 3 1 1 $other_hash
bogus             MX    10 mx.bogus.example.test.
mx.bogus          A     $MX_ADDR
_$MX_PORT._tcp.mx.bogus TLSA 3 1 1 $other_hash
EOF
} >"$WORK/example.test.zone"
dns_sign example.test "$WORK/example.test.zone" || abort "ldns-signzone failed"
# The bogus TLSA is signed for another key, then rewritten to Depesche's:
# it would match if Postfix took it without validation (T4-style forgery).
check "the forged TLSA (Depesche's key, signature for another) is in the signed zone" \
  dns_forge example.test "_$MX_PORT._tcp.mx.bogus.example.test" TLSA "$other_hash" "$good_hash"
dns_start example.test
say "NSD 127.0.0.1:$NSD_PORT, Unbound $UNBOUND_ADDR:53, Depesche MX $MX_ADDR:$MX_PORT"
check "Unbound validates the MX of example.test (AD bit)" validated example.test MX
check "Unbound validates _$MX_PORT._tcp.mx.example.test TLSA (AD bit)" validated "_$MX_PORT._tcp.mx.example.test" TLSA
check "Unbound validates the wrong-key TLSA too (it is signed; only the key is wrong)" \
  validated "_$MX_PORT._tcp.mx.wrongkey.example.test" TLSA
rcode=$(unbound_rcode "_$MX_PORT._tcp.mx.bogus.example.test" TLSA)
check "Unbound answers SERVFAIL for the TLSA with the broken signature (got $rcode)" test "$rcode" = SERVFAIL

# --- Postfix with DANE, and Depesche.
postfix_setup \
  "smtp_tls_security_level = dane" \
  "smtp_dns_support_level = dnssec" \
  "transport_maps = inline:{ example.test=smtp:example.test:$MX_PORT, wrongkey.example.test=smtp:wrongkey.example.test:$MX_PORT, bogus.example.test=smtp:bogus.example.test:$MX_PORT }" \
  >"$WORK/postfix-check.out" 2>&1 || { sed 's/^/  | /' "$WORK/postfix-check.out"; abort "postfix check failed"; }
unbound_mark
postfix_start || abort "Postfix did not listen on $PF_ADDR:$PF_PORT"
depesche_start
say "Postfix $PF_ADDR:$PF_PORT ($(postconf -d -h mail_version)), NSD $(nsd -v 2>&1 | head -n 1 | sed 's/NSD version //'), $(unbound -V | head -n 1)"
PFLOG=$(postfix_log)

# --- A: the right TLSA: Postfix verifies Depesche and delivers.
marker=$(new_marker)
postfix_send dane-good sender@postfix.interop.test "$USER_ADDR" "$marker"
check "Postfix accepts the message for $USER_ADDR (swaks exit $?)" transcript_has dane-good '^250 2\.0\.0 Ok: queued'
check "the message lands in $USER_ADDR's Maildir" wait_for_mail "$USER_ADDR" "$marker" 1 60
check "Postfix logs 'Verified TLS connection established to mx.example.test[$MX_ADDR]:$MX_PORT'" \
  postfix_log_has "Verified TLS connection established to mx\.example\.test\[${MX_ADDR//./\\.}\]:$MX_PORT: TLSv1\.[23]" 5
check "Postfix logs status=sent for $USER_ADDR via mx.example.test" \
  postfix_log_has "to=<$USER_ADDR>, relay=mx\.example\.test\[${MX_ADDR//./\\.}\]:$MX_PORT, .*status=sent" 30
check "Postfix asked Unbound for _$MX_PORT._tcp.mx.example.test TLSA" \
  unbound_asked "_$MX_PORT._tcp.mx.example.test" TLSA
file=$(files_with_marker "$USER_ADDR" "$marker" | head -n 1)
if [ -n "$file" ]; then
  received=$(first_received "$file")
  check "Depesche's Received header names TLS for the Postfix hop ($received)" \
    matches "$received" 'TLS|ESMTPS'
fi
check "the message was delivered once" test "$(count_marker "$USER_ADDR" "$marker")" -eq 1

# --- A': a TLSA of another key: Postfix defers; Depesche gets no message.
deferred_check() {
  local name=$1 rcpt=$2 mx=$3 why=$4 marker
  marker=$(new_marker)
  postfix_send "$name" sender@postfix.interop.test "$rcpt" "$marker"
  check "Postfix accepts the message for $rcpt" transcript_has "$name" '^250 2\.0\.0 Ok: queued'
  check "Postfix defers $rcpt (dsn=4.7.5, \"${why//\\/}\")" \
    postfix_log_has "to=<$rcpt>, .*dsn=4\.7\.5, status=deferred \($why\)" 60
  check "Postfix logs no verified TLS connection to $mx" \
    not grep -q "Verified TLS connection established to ${mx//./\\.}" "$PFLOG"
  check "Postfix did not send $rcpt" not grep -Eq "to=<$rcpt>, .*status=sent" "$PFLOG"
  check "the message for $rcpt stays in Postfix's queue" \
    test "$(postqueue -c "$PF_DIR/etc" -j | grep -c "\"address\": *\"$rcpt\"")" -ge 1
  check "nothing arrived in $rcpt's Maildir" test "$(count_marker "$rcpt" "$marker")" -eq 0
}
deferred_check dane-wrongkey bob@wrongkey.example.test mx.wrongkey.example.test \
  "Server certificate not verified"
check "Postfix logs 'no matching DANE TLSA records' for mx.wrongkey.example.test" \
  postfix_log_has "verification failed for mx\.wrongkey\.example\.test\[${MX_ADDR//./\\.}\]:$MX_PORT: num=[0-9]+:no matching DANE TLSA records" 5
deferred_check dane-bogus carol@bogus.example.test mx.bogus.example.test \
  "TLSA lookup error for mx\.bogus\.example\.test:$MX_PORT"
# The deferred ones must stay undelivered after Postfix tried again
# (minimal_backoff_time is 10 s in lib/postfix.sh).
retried() {
  local i
  for i in $(seq 1 600); do
    [ "$(grep -Ec "to=<$1>, .*status=deferred" "$PFLOG")" -ge 2 ] && return 0
    sleep 0.1
  done
  return 1
}
check "Postfix tried bob@wrongkey.example.test again and deferred it again" retried bob@wrongkey.example.test
check "Postfix tried carol@bogus.example.test again and deferred it again" retried carol@bogus.example.test
check "no later attempt delivered bob@wrongkey.example.test's or carol@bogus.example.test's mail" \
  not grep -Eq "to=<(bob@wrongkey|carol@bogus)\.example\.test>, .*status=sent" "$PFLOG"

if [ "$CHECKS_FAILED" -gt 0 ]; then
  echo "  --- Postfix log"; tail -n 40 "$PFLOG" | sed 's/^/  | /'
  echo "  --- Unbound log (last lines)"; tail -n 15 "$DNS_DIR/unbound.log" | sed 's/^/  | /'
fi
finish
