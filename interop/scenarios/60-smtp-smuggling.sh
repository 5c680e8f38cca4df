#!/usr/bin/env bash
# THREATS T12 (SMTP smuggling): only CRLF.CRLF ends DATA. Message data with
# a bare-LF or bare-CR "end of data" followed by a second, smuggled
# transaction must get a 5xx, and neither message may be delivered.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start
say "MX port $MX_PORT, raw client"

# name : the fake end-of-data sequence
variants=(
  'lf-dot-lf:\n.\n'
  'crlf-dot-lf:\r\n.\n'
  'lf-dot-crlf:\n.\r\n'
  'cr-dot-cr:\r.\r'
  'crlf-dot-cr:\r\n.\r'
)
for v in "${variants[@]}"; do
  name=${v%%:*}; seq=${v#*:}
  outer=$(new_marker); inner=$(new_marker)
  payload="From: <sender@remote.example>\r\nTo: <$USER_ADDR>\r\nSubject: $outer\r\n\r\nouter $outer$seq"
  payload+="MAIL FROM:<ceo@$USER_DOMAIN>\r\nRCPT TO:<$USER_ADDR>\r\nDATA\r\n"
  payload+="From: <ceo@$USER_DOMAIN>\r\nSubject: $inner\r\n\r\nsmuggled $inner\r\n.\r\n"
  python3 "$LIB/rawsmtp.py" 127.0.0.1 "$MX_PORT" "EHLO client.interop.test" \
    "MAIL FROM:<sender@remote.example>" "RCPT TO:<$USER_ADDR>" DATA "raw:$payload" QUIT \
    >"$WORK/$name.txt" 2>&1
  # Replies that came after the payload was sent.
  after=$(sed -n '/^C: raw /,$p' "$WORK/$name.txt" | grep '^S: [0-9]' || true)
  first=$(head -n 1 <<<"$after")
  check "[$name] the data is answered 5xx 5.x.x ($first)" matches "$first" '^S: 5[0-9][0-9] 5\.[0-9]+\.[0-9]+ '
  check "[$name] no 250 or 354 follows (the smuggled commands were not run)" not grep -Eq '^S: (250|354)' <<<"$(tail -n +2 <<<"$after")"
  sleep 1
  check "[$name] the outer message was not delivered" test "$(count_marker "$USER_ADDR" "$outer")" -eq 0
  check "[$name] the smuggled message was not delivered" test "$(count_marker "$USER_ADDR" "$inner")" -eq 0
  [ "$CHECKS_FAILED" -eq 0 ] || sed 's/^/  | /' "$WORK/$name.txt"
done

# The server still works normally afterwards.
marker=$(new_marker)
swaks_run after --port "$MX_PORT" --from sender@remote.example --to "$USER_ADDR" --header "Subject: $marker" --body "body $marker"
check "a normal message afterwards is accepted and delivered" wait_for_mail "$USER_ADDR" "$marker"

finish
