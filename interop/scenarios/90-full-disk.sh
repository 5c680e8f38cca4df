#!/usr/bin/env bash
# A full disk gives 452 4.3.1, never a lost or truncated message (issue 2).
# The data directory lives on a small tmpfs: first the free space is below
# limits.min_free_disk, then above it but smaller than the message (the
# write itself runs out of space). Each time the server answers 452 4.3.1,
# keeps nothing of the message, and serves the next connection; once space
# is freed the same message is accepted and delivered exactly once.
. "$(dirname "$0")/../lib/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"

depesche_setup alice@example.test
say "data directory on a 16 MB tmpfs, limits.min_free_disk = 1 MB"
SMALL="$WORK/small"
mkdir -p "$SMALL"
mount -t tmpfs -o size=16m depesche-interop "$SMALL" || skip "cannot mount a tmpfs here (no CAP_SYS_ADMIN?)"
on_cleanup 'umount -l "$SMALL"'
cp -a "$DATA/." "$SMALL/" || abort "copying the data directory onto the tmpfs"
toml_set data_dir "\"$SMALL\""
toml_set min_free_disk 1048576 limits
depesche_resolve_data
check "data_dir now points at the tmpfs ($DATA)" test "$DATA" = "$SMALL"
depesche_start

free_bytes() { df -B1 --output=avail "$SMALL" | tail -n 1 | tr -d ' '; }
# fill_to BYTES - leaves about BYTES free on the tmpfs.
fill_to() {
  rm -f "$SMALL/filler"
  local free; free=$(free_bytes)
  [ "$free" -gt "$1" ] || return 0
  fallocate -l $((free - $1)) "$SMALL/filler" 2>/dev/null ||
    head -c $((free - $1)) /dev/zero >"$SMALL/filler"
}

# A 3 MB message: base64 lines so it is plain 7-bit text.
body="$WORK/body.txt"
head -c 2300000 /dev/urandom | base64 -w 76 >"$body"
marker=$(new_marker)
send_big() {
  swaks_run "$1" --port "$MX_PORT" --from sender@remote.example --to "$USER_ADDR" \
    --header "Subject: $marker" --body "@$body" --suppress-data
}
big_files_in_queue() { find "$DATA/queue" -type f -size +100k 2>/dev/null; }

answers_next_connection() {
  swaks_run "$1" --port "$MX_PORT" --quit-after EHLO
  transcript_has "$1" '^220 ' && transcript_has "$1" '^250 '
}

# 1. Free space below the reserve.
fill_to $((512 * 1024))
say "free space now $(free_bytes) bytes (reserve 1048576)"
send_big below-reserve
check "below the reserve the message is refused with 452 4.3.1" transcript_has below-reserve '^452 4\.3\.1 '
check "and not accepted (no 250 after DATA)" not matches "$(data_reply below-reserve)" '^250'
check "the server still answers the next connection" answers_next_connection next1

# 2. Above the reserve, but the message does not fit.
fill_to $((1536 * 1024))
say "free space now $(free_bytes) bytes, message $(( $(stat -c %s "$body") + 200 )) bytes"
send_big no-room
check "a message larger than the free space is refused with 452 4.3.1" transcript_has no-room '^452 4\.3\.1 '
check "and not accepted (no 250 after DATA)" not matches "$(data_reply no-room)" '^250'
sleep 1
check "nothing of it is left in the queue directory" test -z "$(big_files_in_queue)"
check "nothing of it reached the Maildir" test "$(count_marker "$USER_ADDR" "$marker")" -eq 0
check "the server still answers the next connection" answers_next_connection next2
[ "$CHECKS_FAILED" -eq 0 ] || { show_transcript below-reserve; show_transcript no-room; }

# 3. Space freed: the same message goes through, once, complete.
rm -f "$SMALL/filler"
say "filler removed, free space $(free_bytes) bytes"
send_big freed
r=$(data_reply freed)
check "with space freed the same message is accepted with 250 ($r)" matches "$r" '^250 '
check "and delivered" wait_for_mail "$USER_ADDR" "$marker" 1 60
sleep 1
check "exactly once" test "$(count_marker "$USER_ADDR" "$marker")" -eq 1
file=$(files_with_marker "$USER_ADDR" "$marker" | head -n 1)
check "complete: the last body line is in the stored message" grep -qxF "$(tail -n 1 "$body")" "${file:-/dev/null}"

finish
