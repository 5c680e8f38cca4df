#!/usr/bin/env bash
# The MX listener: mail for a local user (also user+tag and postmaster) is
# accepted and delivered; an unknown local user gets 550 5.1.1 at RCPT; a
# remote domain gets 550 5.7.1 (no open relay).
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start
say "MX port $MX_PORT, local user $USER_ADDR"

marker=$(new_marker)
swaks_run mx-local --port "$MX_PORT" --from sender@remote.example --to "$USER_ADDR" \
  --header "Subject: $marker" --body "body $marker"
rc=$?
check "swaks to $USER_ADDR on the MX port exits 0 (got $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || show_transcript mx-local
check "STARTTLS is advertised on the MX port" ehlo_has mx-local 0 '^STARTTLS$'
check "AUTH is not advertised on the MX port" not ehlo_has mx-local 0 '^AUTH'
for ext in PIPELINING 'SIZE [0-9]+' 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES CHUNKING; do
  check "EHLO advertises ${ext%% *}" ehlo_has mx-local 0 "^$ext\$"
done
check "RCPT TO:<$USER_ADDR> is answered 250 2.1.5" transcript_has mx-local '^250 2\.1\.5'
reply=$(data_reply mx-local)
check "end of DATA is answered 250 2.x.x ($reply)" matches "$reply" '^250 2\.[0-9]+\.[0-9]+ '
check "message is delivered to $(mailbox_dir "$USER_ADDR")/new" wait_for_mail "$USER_ADDR" "$marker"

# PIPELINING (RFC 2920) with a real client: swaks sends MAIL, RCPT, DATA in one go.
marker=$(new_marker)
swaks_run mx-pipe --port "$MX_PORT" --pipeline --from sender@remote.example --to "$USER_ADDR" \
  --header "Subject: $marker" --body "body $marker"
check "swaks --pipeline exits 0" test $? -eq 0
check "the pipelined message is delivered" wait_for_mail "$USER_ADDR" "$marker"

marker=$(new_marker)
swaks_run mx-plus --port "$MX_PORT" --from sender@remote.example --to "$USER_LOCAL+tag@$USER_DOMAIN" \
  --header "Subject: $marker" --body "body $marker"
check "swaks to $USER_LOCAL+tag@$USER_DOMAIN exits 0" test $? -eq 0
check "plus-addressed mail lands in $USER_ADDR's Maildir" wait_for_mail "$USER_ADDR" "$marker"

swaks_run mx-postmaster --port "$MX_PORT" --from sender@remote.example --to "postmaster@$USER_DOMAIN" --quit-after RCPT
check "RCPT TO:<postmaster@$USER_DOMAIN> is accepted with 250 2.1.5" transcript_has mx-postmaster '^250 2\.1\.5'

swaks_run mx-unknown --port "$MX_PORT" --from sender@remote.example --to "nobody@$USER_DOMAIN" --quit-after RCPT
rc=$?
check "swaks to nobody@$USER_DOMAIN fails (exit $rc)" test "$rc" -ne 0
check "RCPT TO:<nobody@$USER_DOMAIN> is answered 550 5.1.1" transcript_has mx-unknown '^550 5\.1\.1 '
check "the rejection carries the connection id in brackets" transcript_has mx-unknown '^550 5\.1\.1 .*\[[a-z0-9]{12}\]$'

swaks_run mx-relay --port "$MX_PORT" --from sender@remote.example --to "victim@elsewhere.example" --quit-after RCPT
rc=$?
check "swaks relaying to victim@elsewhere.example fails (exit $rc)" test "$rc" -ne 0
check "RCPT TO a remote domain is answered 550 5.7.1" transcript_has mx-relay '^550 5\.7\.1 '

# Same relay attempt with a local sender address: being "from" us opens nothing.
swaks_run mx-relay2 --port "$MX_PORT" --from "$USER_ADDR" --to "victim@elsewhere.example" --quit-after RCPT
check "relay with a local MAIL FROM is answered 550 5.7.1 too" transcript_has mx-relay2 '^550 5\.7\.1 '

finish
