#!/usr/bin/env bash
# Submission on the STARTTLS port with AUTH LOGIN and AUTH PLAIN: swaks gets
# 250 after DATA and the message lands in the user's Maildir.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start
say "submission port $SUB_PORT, user $USER_ADDR"

for mech in LOGIN PLAIN; do
  t="sub-$mech"
  marker=$(new_marker)
  swaks_run "$t" --port "$SUB_PORT" --tls --auth "$mech" \
    --auth-user "$USER_ADDR" --auth-password "$USER_PASS" \
    --from "$USER_ADDR" --to "$USER_ADDR" \
    --header "Subject: $marker" --body "body $marker"
  rc=$?
  check "swaks --tls --auth $mech on port $SUB_PORT exits 0 (got $rc)" test "$rc" -eq 0
  [ "$rc" -eq 0 ] || show_transcript "$t"
  check "STARTTLS is advertised before TLS" ehlo_has "$t" 0 '^STARTTLS$'
  check "AUTH $mech is advertised after STARTTLS" ehlo_has "$t" 1 "^AUTH( .*)? $mech( |\$)"
  check "AUTH $mech is answered 235 2.7.0" transcript_has "$t" '^235 2\.7\.0'
  check "TLS 1.3 was negotiated" grep -q 'TLS started with cipher TLSv1\.3' "$WORK/$t.swaks"
  reply=$(data_reply "$t")
  check "end of DATA is answered 250 2.x.x ($reply)" matches "$reply" '^250 2\.[0-9]+\.[0-9]+ '
  if wait_for_mail "$USER_ADDR" "$marker"; then
    pass "message is in the Maildir $(mailbox_dir "$USER_ADDR")"
    file=$(files_with_marker "$USER_ADDR" "$marker" | head -n 1)
    check "it is in new/" matches "$file" '/new/[^/]+$'
    check "exactly one copy was delivered" test "$(count_marker "$USER_ADDR" "$marker")" -eq 1
    received=$(first_received "$file")
    # issue 2: the Received header records the TLS version and cipher of the hop.
    check "the Received header records TLSv1.3 ($received)" matches "$received" 'TLS ?v?1\.3'
    check "the stored file uses LF line ends, no CR" not has_cr "$file"
  else
    fail "message with $marker in the Maildir $(mailbox_dir "$USER_ADDR") within 30 s"
  fi
done

finish
