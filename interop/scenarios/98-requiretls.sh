#!/usr/bin/env bash
# REQUIRETLS (RFC 8689) on receipt. swaks (Debian's 20201014) has no option
# for MAIL parameters (it sends "MAIL FROM:<addr>" plus only PRDR), so the
# REQUIRETLS dialogues use lib/rawsmtp.py, which can STARTTLS: in plaintext
# "MAIL FROM:<..> REQUIRETLS" gets 530 5.7.10 and the session goes on; inside
# TLS it is accepted, the message is stored with requiretls=true and
# delivered. swaks sends a TLS-Required: No header, which is recorded and
# left in the message.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start
say "MX port $MX_PORT"

raw() { local name=$1; shift; python3 "$LIB/rawsmtp.py" 127.0.0.1 "$MX_PORT" "$@" >"$WORK/$name.txt" 2>&1; }
# reply NAME PREFIX - the first server line after the client line starting with PREFIX.
reply() { grep -A1 -F "C: $2" "$WORK/$1.txt" | sed -n 2p; }

marker=$(new_marker)
raw plain "EHLO client.interop.test" "MAIL FROM:<carol@remote.example> REQUIRETLS" \
  "MAIL FROM:<carol@remote.example>" "RCPT TO:<$USER_ADDR>" QUIT
check "EHLO in plaintext does not advertise REQUIRETLS" not grep -q '^S: 250[- ]REQUIRETLS$' "$WORK/plain.txt"
r=$(reply plain "MAIL FROM:<carol@remote.example> REQUIRETLS")
check "MAIL FROM REQUIRETLS in plaintext is refused with 530 5.7.10 ($r)" matches "$r" '^S: 530 5\.7\.10 REQUIRETLS needs an encrypted session'
r=$(grep -A1 -x -F "C: MAIL FROM:<carol@remote.example>" "$WORK/plain.txt" | sed -n 2p)
check "the session goes on: a MAIL FROM without it is accepted ($r)" matches "$r" '^S: 250 2\.1\.0'

raw tls "EHLO client.interop.test" starttls "EHLO client.interop.test" \
  "MAIL FROM:<carol@remote.example> REQUIRETLS" "RCPT TO:<$USER_ADDR>" DATA \
  "raw:Subject: $marker\r\nFrom: carol@remote.example\r\n\r\nbody $marker\r\n.\r\n" QUIT
check "STARTTLS gives TLS 1.3" grep -q '^T: TLSv1.3$' "$WORK/tls.txt"
check "EHLO inside TLS advertises REQUIRETLS" grep -q '^S: 250[- ]REQUIRETLS$' "$WORK/tls.txt"
r=$(reply tls "MAIL FROM:<carol@remote.example> REQUIRETLS")
check "MAIL FROM REQUIRETLS inside TLS is accepted with 250 2.1.0 ($r)" matches "$r" '^S: 250 2\.1\.0'
queued=$(sed -n 's/^S: 250 2\.0\.0 Ok: queued as \([^ ]*\).*/\1/p' "$WORK/tls.txt" | head -n 1)
check "the message is queued (${queued:-no id})" test -n "$queued"
check "it is stored with requiretls=true" \
  grep -q "event=transport-demand queue_id=$queued requiretls=true tls_required_no=false floor=NONE" "$SERVER_LOG"
check "and delivered to $USER_ADDR's Maildir" wait_for_mail "$USER_ADDR" "$marker"
[ "$CHECKS_FAILED" -eq 0 ] || { sed 's/^/  | /' "$WORK/plain.txt"; sed 's/^/  | /' "$WORK/tls.txt"; }

marker=$(new_marker)
swaks_run tls-required-no --port "$MX_PORT" --from carol@remote.example --to "$USER_ADDR" \
  --header "TLS-Required: No" --header "Subject: $marker" --body "body $marker"
check "swaks with a TLS-Required: No header exits 0" test $? -eq 0
queued=$(data_reply tls-required-no | sed -n 's/^250 2\.0\.0 Ok: queued as \([^ ]*\).*/\1/p')
check "it is stored with tls_required_no=true (${queued:-no id})" \
  grep -q "event=transport-demand queue_id=${queued:-none} requiretls=false tls_required_no=true" "$SERVER_LOG"
check "it is delivered" wait_for_mail "$USER_ADDR" "$marker"
check "the TLS-Required: No field is left in the delivered message" \
  grep -rlq -- "^TLS-Required: No" "$(grep -rl -- "$marker" "$(mailbox_dir "$USER_ADDR")/new" | head -n 1)"

finish
