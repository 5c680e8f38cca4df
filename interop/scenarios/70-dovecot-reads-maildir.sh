#!/usr/bin/env bash
# Dovecot serves Depesche's Maildir as it is (issue 2): a stock Dovecot
# pointed at <data>/mail/%d/%n finds the delivered message over IMAP, with
# the same bytes and size, logs no error about it, and the message files'
# contents are unchanged afterwards.
. "$(dirname "$0")/../lib/common.sh"
. "$LIB/dovecot.sh"

command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || skip "dovecot is not installed (apt-get install dovecot-imapd)"
PATH="$PATH:/usr/sbin"

depesche_setup alice@example.test
depesche_start
say "deliver over submission and MX, then read with Dovecot"

m1=$(new_marker); m2=$(new_marker)
swaks_run sub --port "$SUB_PORT" --tls --auth PLAIN --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
  --from "$USER_ADDR" --to "$USER_ADDR" --header "Subject: $m1" --body "first line $m1"
swaks_run mx --port "$MX_PORT" --from sender@remote.example --to "$USER_ADDR" --header "Subject: $m2" \
  --body "$(printf 'line one %s\nline two\n\n.leading dot line\n' "$m2")"
wait_for_mail "$USER_ADDR" "$m1" || abort "message $m1 was not delivered (swaks: $(data_reply sub))"
wait_for_mail "$USER_ADDR" "$m2" || abort "message $m2 was not delivered (swaks: $(data_reply mx))"
pass "both messages are in the Maildir"

box=$(mailbox_dir "$USER_ADDR")
check "the Maildir has new/ cur/ tmp/" test -d "$box/new" -a -d "$box/cur" -a -d "$box/tmp"
for f in "$box"/new/*; do
  n=$(basename "$f")
  size=$(stat -c %s "$f"); lines=$(tr -cd '\n' <"$f" | wc -c)
  check "file name $n has the form <secs>.<unique>.<host>,S=$size,W=$((size + lines))" \
    matches "$n" "^[0-9]+\\.[^/]+,S=$size,W=$((size + lines))(:2,.*)?\$"
done
check "message files are 0600 and the Maildir 0700 (private to the server's user)" \
  test "$(stat -c %a "$box"/new/* | sort -u)" = 600 -a "$(stat -c %a "$box" "$box/new" "$box/cur" "$box/tmp" | sort -u)" = 700
before=$(sha_of_contents "$box")

check "dovecot starts on a private port" dovecot_start "$DATA/mail" "$USER_ADDR"
say "dovecot on 127.0.0.1:$IMAP_PORT, config $DOVECOT_DIR/dovecot.conf"

for m in "$m1" "$m2"; do
  uid=$(imap_cmd "$USER_ADDR" INBOX -X "UID SEARCH BODY $m" | sed -n 's/^\* SEARCH \([0-9][0-9]*\).*/\1/p' | tr -d '\r')
  if ! matches "$uid" '^[0-9]+$'; then fail "IMAP UID SEARCH BODY finds the message with $m"; continue; fi
  pass "IMAP UID SEARCH BODY finds the message with $m (UID $uid)"
  imap_cmd "$USER_ADDR" "INBOX;UID=$uid" >"$WORK/fetched-$uid.eml"
  check "the fetched message contains $m" grep -qF "$m" "$WORK/fetched-$uid.eml"
  file=$(files_with_marker "$USER_ADDR" "$m" | head -n 1)
  tr -d '\r' <"$WORK/fetched-$uid.eml" >"$WORK/fetched-$uid.lf"
  check "IMAP serves exactly the stored bytes (CRLF on the wire, LF on disk)" cmp -s "$WORK/fetched-$uid.lf" "$file"
  want=$(( $(stat -c %s "$file") + $(tr -cd '\n' <"$file" | wc -c) ))
  got=$(imap_cmd "$USER_ADDR" INBOX -X "UID FETCH $uid (RFC822.SIZE)" | sed -n 's/.*RFC822\.SIZE \([0-9][0-9]*\).*/\1/p' | tr -d '\r')
  check "RFC822.SIZE over IMAP is the CRLF size $want (got $got)" test "$got" = "$want"
done

errors=$(dovecot_errors)
check "dovecot logged no error, fatal or panic${errors:+: $errors}" test -z "$errors"
after=$(sha_of_contents "$box")
check "the message files' contents are unchanged after IMAP access" test "$before" = "$after"

# Depesche keeps delivering into a Maildir that Dovecot has used.
m3=$(new_marker)
swaks_run mx2 --port "$MX_PORT" --from sender@remote.example --to "$USER_ADDR" --header "Subject: $m3" --body "$m3"
check "a later delivery into the same Maildir works" wait_for_mail "$USER_ADDR" "$m3"
dovecot_share_mail "$DATA/mail"
uid=$(imap_cmd "$USER_ADDR" INBOX -X "UID SEARCH BODY $m3" | sed -n 's/^\* SEARCH \([0-9][0-9]*\).*/\1/p' | tr -d '\r')
check "and Dovecot sees it (UID $uid)" matches "$uid" '^[0-9]+$'
errors=$(dovecot_errors)
check "dovecot still logged no error${errors:+: $errors}" test -z "$errors"

finish
