#!/usr/bin/env bash
# Durability across restarts and crashes, through the CLI: a message held in
# the queue (its Maildir is blocked) is listed by `depesche queue list`,
# survives kill -9, and is delivered exactly once after restart; delivered
# mail survives a clean restart; `queue retry` delivers at once.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
# A deferred message keeps its retry time across a restart (as in Postfix),
# so parts 1 and 2 use a short back-off; part 3 a long one.
toml_set min_backoff '"2s"' queue
toml_set max_backoff '"5s"' queue
depesche_start
box=$(mailbox_dir "$USER_ADDR")
say "MX port $MX_PORT, Maildir $box"

# Queue ids as FileQueue makes them: 16 chars of Crockford-like base32.
queue_ids() { grep -Eo '\b[0-9a-hjkmnp-tv-z]{16}\b' | sort -u; }

send() { # send NAME MARKER
  swaks_run "$1" --port "$MX_PORT" --from sender@remote.example --to "$USER_ADDR" \
    --header "Subject: $2" --body "body $2"
  local r; r=$(data_reply "$1")
  check "[$1] message accepted with 250 ($r)" matches "$r" '^250 '
}

# Delivery into a path that is a file, not a directory, fails and is retried later.
block_mailbox() {
  mkdir -p "$(dirname "$box")"
  if [ -e "$box" ]; then mv "$box" "$box.aside"; fi
  : >"$box"
}
unblock_mailbox() {
  rm -f "$box"
  if [ -e "$box.aside" ]; then mv "$box.aside" "$box"; fi
}

# 1. A message held in the queue survives kill -9 and is delivered once.
block_mailbox
m1=$(new_marker)
send held "$m1"
sleep 2
check "with the Maildir blocked the message is not delivered" test ! -d "$box"
depesche_cli queue list >"$WORK/list1.txt" 2>&1
check "queue list exits 0 while the server runs" test $? -eq 0
ids=$(queue_ids <"$WORK/list1.txt")
check "queue list shows exactly one message (${ids//$'\n'/ })" test "$(echo "$ids" | grep -c .)" -eq 1
id=$(echo "$ids" | head -n 1)
if [ -n "$id" ]; then
  depesche_cli queue show "$id" >"$WORK/show.txt" 2>&1
  check "queue show $id exits 0" test $? -eq 0
  check "queue show names the recipient $USER_ADDR" grep -qiF "$USER_ADDR" "$WORK/show.txt"
fi
[ "$CHECKS_FAILED" -eq 0 ] || { sed 's/^/  | /' "$WORK/list1.txt"; sed 's/^/  | /' "$WORK/show.txt" 2>/dev/null; }
depesche_kill9
pass "server killed with SIGKILL"
depesche_cli queue list >"$WORK/list2.txt" 2>&1
check "queue list exits 0 with the server down" test $? -eq 0
check "and still shows the message" grep -qF "${id:-no-id}" "$WORK/list2.txt"
unblock_mailbox
depesche_start
check "after restart the held message is delivered (at its next retry)" wait_for_mail "$USER_ADDR" "$m1" 1 30
sleep 2
check "exactly once" test "$(count_marker "$USER_ADDR" "$m1")" -eq 1
depesche_cli queue list >"$WORK/list3.txt" 2>&1
check "queue list is empty afterwards" test -z "$(queue_ids <"$WORK/list3.txt")"

# 1b. kill -9 right after the last of several 250s: whatever was still in
# the queue is delivered after restart; every message exactly once.
burst=()
for i in 1 2 3 4 5 6; do
  m=$(new_marker); burst+=("$m")
  swaks_run "burst$i" --port "$MX_PORT" --from sender@remote.example --to "$USER_ADDR" \
    --header "Subject: $m" --body "body $m"
done
depesche_kill9
accepted=0
for i in 1 2 3 4 5 6; do matches "$(data_reply "burst$i")" '^250 ' && accepted=$((accepted + 1)); done
check "six messages accepted with 250, then SIGKILL" test "$accepted" -eq 6
depesche_start
for m in "${burst[@]}"; do wait_for_mail "$USER_ADDR" "$m" 1 30; done
once=0
for m in "${burst[@]}"; do [ "$(count_marker "$USER_ADDR" "$m")" -eq 1 ] && once=$((once + 1)); done
check "after restart each of the six is in the Maildir exactly once ($once of 6)" test "$once" -eq 6

# 2. Delivered mail survives a clean restart unchanged.
m2=$(new_marker)
send normal "$m2"
check "a normal message is delivered" wait_for_mail "$USER_ADDR" "$m2"
before=$(sha_of_contents "$box")
depesche_stop
pass "server stopped with SIGTERM"
depesche_start
check "after a clean restart the Maildir holds the same messages" test "$(sha_of_contents "$box")" = "$before"
depesche_cli queue list >"$WORK/list4.txt" 2>&1
check "and the queue is empty" test -z "$(queue_ids <"$WORK/list4.txt")"

# 3. `queue retry` hands a held message to the running server at once,
# long before its back-off of 10 minutes is over.
depesche_stop
toml_set min_backoff '"10m"' queue
toml_set max_backoff '"1h"' queue
depesche_start
block_mailbox
m3=$(new_marker)
send retry "$m3"
sleep 2
id=$(depesche_cli queue list 2>/dev/null | queue_ids | head -n 1)
check "the held message is listed ($id)" test -n "$id"
unblock_mailbox
depesche_cli queue retry "${id:-none}" >"$WORK/retry.txt" 2>&1
check "queue retry $id exits 0" test $? -eq 0
check "queue retry delivers it within 30 s (no waiting for the back-off)" wait_for_mail "$USER_ADDR" "$m3" 1 30
sleep 1
check "exactly once" test "$(count_marker "$USER_ADDR" "$m3")" -eq 1

# 4. Bad input to the CLI is one clear line and exit code 2.
depesche_cli queue show not-a-queue-id >"$WORK/bad.txt" 2>&1
rc=$?
check "queue show with a malformed id exits 2 (got $rc)" test "$rc" -eq 2
check "with no stack trace" not grep -q 'at org\.depesche\.' "$WORK/bad.txt"

finish
