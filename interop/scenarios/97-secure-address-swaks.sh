#!/usr/bin/env bash
# Secure addresses with a real client (issue 4, THREATS T2b): swaks without
# STARTTLS to an address in a secure alias domain, or to an account marked
# secure with `depesche user secure`, is refused at RCPT with 550 5.7.10
# and a reason; with --tls it is accepted and lands in the Maildir. Mail
# submitted from a secure address is stored with the AUTHENTICATED floor.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
SECURE_DOMAIN="secure.$USER_DOMAIN"
BOB="bob@$USER_DOMAIN"
depesche_cli domain secure "$USER_DOMAIN" "$SECURE_DOMAIN" >/dev/null ||
  abort "depesche domain secure $USER_DOMAIN $SECURE_DOMAIN failed"
depesche_cli user add "$BOB" --password-stdin <<<"bob-$RANDOM$RANDOM-secret" >/dev/null ||
  abort "depesche user add $BOB failed"
depesche_cli user secure "$BOB" --strictness encrypt >/dev/null || abort "depesche user secure $BOB failed"
depesche_start
say "MX port $MX_PORT, secure alias domain $SECURE_DOMAIN, $BOB marked secure"

SECURE_ALICE="$USER_LOCAL@$SECURE_DOMAIN"
marker=$(new_marker)
swaks_run plain-secure --port "$MX_PORT" --from carol@remote.example --to "$SECURE_ALICE" \
  --header "Subject: $marker" --body "body $marker"
rc=$?
check "swaks without STARTTLS to $SECURE_ALICE fails (exit $rc)" test "$rc" -ne 0
check "RCPT TO:<$SECURE_ALICE> in plaintext is answered 550 5.7.10" transcript_has plain-secure '^550 5\.7\.10 '
check "the refusal says why: only over TLS, no STARTTLS used" \
  transcript_has plain-secure "^550 5\.7\.10 $SECURE_ALICE accepts mail only over TLS; your server did not use STARTTLS"
check "no DATA was sent for the refused recipient" not grep -q '^ -> DATA' "$WORK/plain-secure.swaks"

swaks_run plain-bob --port "$MX_PORT" --from carol@remote.example --to "$BOB" --quit-after RCPT
check "RCPT TO:<$BOB> (user secure, encrypt) in plaintext is answered 550 5.7.10" transcript_has plain-bob '^550 5\.7\.10 '

swaks_run tls-secure --port "$MX_PORT" --tls --from carol@remote.example --to "$SECURE_ALICE" \
  --header "Subject: $marker" --body "body $marker"
rc=$?
check "swaks --tls to $SECURE_ALICE exits 0 (got $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || show_transcript tls-secure
check "EHLO before STARTTLS does not advertise REQUIRETLS" not ehlo_has tls-secure 0 '^REQUIRETLS$'
check "EHLO after STARTTLS advertises REQUIRETLS (RFC 8689 2)" ehlo_has tls-secure 1 '^REQUIRETLS$'
check "RCPT TO:<$SECURE_ALICE> after STARTTLS is answered 250 2.1.5" transcript_has tls-secure '^250 2\.1\.5'
check "the message to $SECURE_ALICE lands in $USER_ADDR's Maildir" wait_for_mail "$USER_ADDR" "$marker"
received=$(first_received "$(grep -rl -- "$marker" "$(mailbox_dir "$USER_ADDR")/new" | head -n 1)")
check "its Received header says it came in over TLS (ESMTPS)" matches "$received" 'with ESMTPS '

marker=$(new_marker)
swaks_run tls-bob --port "$MX_PORT" --tls --from carol@remote.example --to "$BOB" \
  --header "Subject: $marker" --body "body $marker"
check "swaks --tls to $BOB exits 0" test $? -eq 0
check "the message to $BOB lands in his Maildir" wait_for_mail "$BOB" "$marker"

# Submission from the secure address: the message is stored with the floor (decision 2).
marker=$(new_marker)
swaks_run submit-secure --port "$SUB_PORT" --tls --auth PLAIN --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
  --from "$SECURE_ALICE" --to "$USER_ADDR" --header "From: $SECURE_ALICE" --header "Subject: $marker" --body "body $marker"
rc=$?
check "swaks submits as $SECURE_ALICE on port $SUB_PORT (exit $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || show_transcript submit-secure
check "the submitted message is stored with floor AUTHENTICATED because the sender is a secure address" \
  grep -q "event=transport-demand .*floor=AUTHENTICATED because=\"the sender $SECURE_ALICE is a secure address\"" "$SERVER_LOG"

finish
