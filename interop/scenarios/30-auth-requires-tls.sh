#!/usr/bin/env bash
# THREATS T8: on the submission port AUTH is neither advertised nor accepted
# before STARTTLS, and a message cannot be submitted without it.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start
say "submission port $SUB_PORT without TLS"

swaks_run plain-auth --port "$SUB_PORT" --auth PLAIN \
  --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
  --from "$USER_ADDR" --to "$USER_ADDR" --quit-after AUTH
rc=$?
check "swaks --auth without --tls fails (exit $rc)" test "$rc" -ne 0
check "EHLO before STARTTLS advertises STARTTLS" ehlo_has plain-auth 0 '^STARTTLS$'
check "EHLO before STARTTLS does not advertise AUTH" not ehlo_has plain-auth 0 '^AUTH'
check "no 235 (authentication succeeded) in the transcript" not transcript_has plain-auth '^235'

# swaks will not send AUTH that was not advertised, so send it by hand.
creds=$(printf '\0%s\0%s' "$USER_ADDR" "$USER_PASS" | base64 -w0)
python3 "$LIB/rawsmtp.py" 127.0.0.1 "$SUB_PORT" "EHLO client.interop.test" \
  "AUTH PLAIN $creds" "AUTH LOGIN" "MAIL FROM:<$USER_ADDR>" "RCPT TO:<$USER_ADDR>" QUIT \
  >"$WORK/raw-auth.txt" 2>&1
reply() { grep -A1 -F "C: $1" "$WORK/raw-auth.txt" | sed -n 2p; }
r=$(reply "AUTH PLAIN"); check "AUTH PLAIN before STARTTLS is refused with 530/538 5.7.x ($r)" matches "$r" '^S: 5(30|38) 5\.7\.[0-9]+ '
r=$(reply "AUTH LOGIN"); check "AUTH LOGIN before STARTTLS is refused with 530/538 5.7.x ($r)" matches "$r" '^S: 5(30|38) 5\.7\.[0-9]+ '
m=$(reply "MAIL FROM"); r=$(reply "RCPT TO")
unauthenticated_refused() { matches "$m" '^S: 5[0-9][0-9] 5\.7\.[0-9]+ ' || matches "$r" '^S: 5[0-9][0-9] 5\.7\.[0-9]+ '; }
check "an unauthenticated MAIL or RCPT on submission is refused with 5xx 5.7.x ($m / $r)" unauthenticated_refused
check "no 235 from the raw dialogue" not grep -q '^S: 235' "$WORK/raw-auth.txt"
[ "$CHECKS_FAILED" -eq 0 ] || sed 's/^/  | /' "$WORK/raw-auth.txt"

finish
