#!/usr/bin/env bash
# RFC 8314 implicit TLS on the submissions port: TLS from the first byte,
# AUTH offered inside it, the message delivered.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start
say "submissions (implicit TLS) port $SUBS_PORT"

marker=$(new_marker)
swaks_run subs --port "$SUBS_PORT" --tlsc --auth PLAIN \
  --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
  --from "$USER_ADDR" --to "$USER_ADDR" --header "Subject: $marker" --body "body $marker"
rc=$?
check "swaks --tlsc --auth PLAIN on port $SUBS_PORT exits 0 (got $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || show_transcript subs
check "TLS 1.3 was negotiated before the greeting" grep -q 'TLS started with cipher TLSv1\.3' "$WORK/subs.swaks"
check "the greeting came inside TLS (220 over TLS)" grep -Eq '^<~ +220 ' "$WORK/subs.swaks"
check "AUTH PLAIN is advertised" ehlo_has subs 1 '^AUTH( .*)? PLAIN( |$)'
check "STARTTLS is not advertised inside implicit TLS" not ehlo_has subs 1 '^STARTTLS$'
check "AUTH PLAIN is answered 235 2.7.0" transcript_has subs '^235 2\.7\.0'
reply=$(data_reply subs)
check "end of DATA is answered 250 2.x.x ($reply)" matches "$reply" '^250 2\.[0-9]+\.[0-9]+ '
check "message is delivered to $(mailbox_dir "$USER_ADDR")" wait_for_mail "$USER_ADDR" "$marker"

# A wrong password is refused (535 5.7.8) and nothing is sent.
marker=$(new_marker)
swaks_run subs-badpw --port "$SUBS_PORT" --tlsc --auth PLAIN \
  --auth-user "$USER_ADDR" --auth-password "not-$USER_PASS" \
  --from "$USER_ADDR" --to "$USER_ADDR" --header "Subject: $marker" --body "body $marker"
check "a wrong password is answered 535 5.7.8" transcript_has subs-badpw '^535 5\.7\.8 '
sleep 1
check "nothing was delivered after the failed login" test "$(count_marker "$USER_ADDR" "$marker")" -eq 0

# T13: an authenticated user may only send as an address they own.
marker=$(new_marker)
swaks_run subs-spoof --port "$SUBS_PORT" --tlsc --auth PLAIN \
  --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
  --from "ceo@$USER_DOMAIN" --to "$USER_ADDR" --header "Subject: $marker" --body "body $marker"
check "MAIL FROM an address the user does not own is refused with 5xx 5.7.x" transcript_has subs-spoof '^5[0-9][0-9] 5\.7\.[0-9]+ '
sleep 1
check "nothing was delivered for the spoofed sender" test "$(count_marker "$USER_ADDR" "$marker")" -eq 0

finish
