# Sourced by every interop scenario. Gives each scenario a fresh Depesche
# made by `depesche quickstart` in a temporary directory, on free loopback
# ports, and a few assertion helpers. A scenario exits 0 when every check
# passed, 1 when one failed, 77 when it could not run here (skipped).
#
# Variables after depesche_setup: WORK CONF_DIR CONFIG DATA MX_PORT SUB_PORT
# SUBS_PORT USER_ADDR USER_LOCAL USER_DOMAIN USER_PASS HOSTNAME_FQDN.
# MX_ADDR (default 127.0.0.1) may be set before depesche_setup to put the MX
# listener on another loopback address (127/8), e.g. apart from a Postfix.

set -uo pipefail

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$INTEROP_DIR/.." && pwd)
DEPESCHE="$REPO/depesche"
LIB="$INTEROP_DIR/lib"
SCENARIO=$(basename "$0" .sh)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/depesche-interop.XXXXXX")
CONF_DIR="$WORK/conf"
CONFIG="$CONF_DIR/depesche.toml"
DATA="$CONF_DIR/data"
SERVER_PID=""
SERVER_LOG="$WORK/server.log"
MX_ADDR=127.0.0.1
CHECKS_PASSED=0
CHECKS_FAILED=0
CLEANUP_HOOKS=()

say() { printf '%s: %s\n' "$SCENARIO" "$*"; }
pass() { CHECKS_PASSED=$((CHECKS_PASSED + 1)); printf '  ok   %s\n' "$*"; }
fail() { CHECKS_FAILED=$((CHECKS_FAILED + 1)); printf '  FAIL %s\n' "$*"; }

# check DESCRIPTION COMMAND... - passes when COMMAND succeeds.
check() {
  local desc=$1; shift
  if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# A scenario that cannot run here: says why and exits 77.
skip() {
  printf '  SKIPPED %s\n' "$*"
  exit 77
}

# Stops here (a failed precondition makes the rest meaningless).
abort() {
  fail "$*"
  exit 1
}

on_cleanup() { CLEANUP_HOOKS+=("$1"); }

cleanup() {
  local rc=$? hook
  depesche_stop
  for hook in "${CLEANUP_HOOKS[@]+"${CLEANUP_HOOKS[@]}"}"; do eval "$hook" || true; done
  if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -f "$SERVER_LOG" ]; then
    echo "  --- last lines of the server log ($SERVER_LOG)"
    tail -n 30 "$SERVER_LOG" | sed 's/^/  | /'
  fi
  if [ -n "${INTEROP_KEEP:-}" ] || { [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ "${CI:-}" != true ]; }; then
    echo "  (kept $WORK)"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Ends a scenario: exit status from the checks.
finish() {
  say "$CHECKS_PASSED checks passed, $CHECKS_FAILED failed"
  [ "$CHECKS_FAILED" -eq 0 ] && [ "$CHECKS_PASSED" -gt 0 ]
  exit $?
}

# Prints a TCP port on 127.0.0.1 that is free now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# port_open PORT [ADDRESS] - something accepts connections there now.
port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# toml_set KEY VALUE [SECTION] - VALUE is a TOML literal, e.g. '"x"' or 5.
toml_set() { python3 "$LIB/toml_set.py" "$CONFIG" "${3:-}" "$1" "$2"; }

# toml_get DOTTED.KEY - prints the value (empty when absent).
toml_get() {
  python3 - "$CONFIG" "$1" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    v = tomllib.load(f)
for k in sys.argv[2].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)
PY
}

# depesche_setup [ADDRESS] - quickstart into $CONF_DIR, free ports, known password.
depesche_setup() {
  USER_ADDR=${1:-alice@example.test}
  USER_LOCAL=${USER_ADDR%@*}
  USER_DOMAIN=${USER_ADDR#*@}
  HOSTNAME_FQDN="mx.$USER_DOMAIN"
  USER_PASS="interop-$RANDOM$RANDOM-secret"
  if ! "$DEPESCHE" quickstart "$USER_ADDR" --dir "$CONF_DIR" --hostname "$HOSTNAME_FQDN" \
      >"$WORK/quickstart.out" 2>&1; then
    sed 's/^/  | /' "$WORK/quickstart.out"
    abort "depesche quickstart $USER_ADDR failed"
  fi
  [ -f "$CONFIG" ] || abort "quickstart wrote no $CONFIG"
  [ -f "$CONF_DIR/tls/cert.pem" ] && [ -f "$CONF_DIR/tls/key.pem" ] ||
    abort "quickstart wrote no tls/cert.pem and tls/key.pem"
  depesche_pick_ports
  depesche_resolve_data
  depesche_cli user passwd "$USER_ADDR" --password-stdin <<<"$USER_PASS" >/dev/null ||
    abort "depesche user passwd $USER_ADDR --password-stdin failed"
}

# Picks three free loopback ports for the listeners and writes them into the config.
depesche_pick_ports() {
  MX_PORT=$(free_port); SUB_PORT=$(free_port); SUBS_PORT=$(free_port)
  while [ "$SUB_PORT" = "$MX_PORT" ]; do SUB_PORT=$(free_port); done
  while [ "$SUBS_PORT" = "$MX_PORT" ] || [ "$SUBS_PORT" = "$SUB_PORT" ]; do SUBS_PORT=$(free_port); done
  toml_set smtp "\"$MX_ADDR:$MX_PORT\"" listen
  toml_set submission "\"127.0.0.1:$SUB_PORT\"" listen
  toml_set submissions "\"127.0.0.1:$SUBS_PORT\"" listen
}

# Sets DATA from data_dir in the config (relative to the config's directory).
depesche_resolve_data() {
  local d
  d=$(toml_get data_dir)
  [ -n "$d" ] || d=data
  case "$d" in /*) DATA="$d" ;; *) DATA="$CONF_DIR/$d" ;; esac
}

# depesche_cli ARGS... - runs a CLI command against this scenario's config.
depesche_cli() { "$DEPESCHE" "$@" --config "$CONFIG"; }

# Starts `depesche serve` and waits until all three listeners answer. A
# port picked by free_port can be taken by another process before the server
# binds it; then new ports are picked (twice at most) unless the scenario
# fixed its ports (KEEP_PORTS=1, e.g. for a restart).
depesche_start() {
  local attempt log_mark
  for attempt in 1 2 3; do
    log_mark=$( [ -f "$SERVER_LOG" ] && wc -l <"$SERVER_LOG" || echo 0)
    depesche_start_once && return 0
    if [ "${KEEP_PORTS:-}" != 1 ] && tail -n +"$((log_mark + 1))" "$SERVER_LOG" | grep -qi "already in use"; then
      say "a listener port was taken meanwhile; picking new ports"
      depesche_pick_ports
      continue
    fi
    break
  done
  abort "depesche serve exited before listening (see log below)"
}

depesche_start_once() {
  "$DEPESCHE" serve --config "$CONFIG" >>"$SERVER_LOG" 2>&1 </dev/null &
  SERVER_PID=$!
  local i
  for i in $(seq 1 600); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      SERVER_PID=""
      return 1
    fi
    if port_open "$MX_PORT" "$MX_ADDR" && port_open "$SUB_PORT" && port_open "$SUBS_PORT"; then
      return 0
    fi
    sleep 0.1
  done
  abort "depesche serve did not open ports $MX_PORT, $SUB_PORT, $SUBS_PORT within 60 s"
}

# Before depesche_start: an MTA-STS policy host ([mta_sts]) on a free loopback
# port STS_PORT, mode enforce, mx = the server's host name, max_age one day.
mta_sts_configure() {
  STS_PORT=$(free_port)
  toml_set listen "\"127.0.0.1:$STS_PORT\"" mta_sts
  toml_set mode '"enforce"' mta_sts
  toml_set mx "[\"$HOSTNAME_FQDN\"]" mta_sts
  toml_set max_age '"1d"' mta_sts
}

# After depesche_start: waits up to 10 s for the MTA-STS listener, else aborts.
mta_sts_wait() {
  local i
  for i in $(seq 1 100); do port_open "$STS_PORT" && return 0; sleep 0.1; done
  abort "the MTA-STS listener on 127.0.0.1:$STS_PORT did not open"
}

# Stops the server politely (TERM), then for good after 20 s.
depesche_stop() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 200); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "  (server did not stop within 20 s of SIGTERM; killing it)"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# Kills the server the hard way, as a crash would.
depesche_kill9() {
  [ -n "$SERVER_PID" ] || return 0
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

new_marker() { echo "interop-$SCENARIO-$(date +%s)-$RANDOM$RANDOM"; }

mailbox_dir() { echo "$DATA/mail/${1#*@}/$(echo "${1%@*}" | tr '[:upper:]' '[:lower:]')"; }

# Files in ADDRESS's Maildir (new/ and cur/) that contain MARKER.
files_with_marker() {
  local dir
  dir=$(mailbox_dir "$1")
  grep -lF -- "$2" "$dir"/new/* "$dir"/cur/* 2>/dev/null || true
}

count_marker() { files_with_marker "$1" "$2" | grep -c . || true; }

# wait_for_mail ADDRESS MARKER [COUNT] [SECONDS] - delivery runs from the queue.
wait_for_mail() {
  local addr=$1 marker=$2 want=${3:-1} secs=${4:-30} i
  for i in $(seq 1 $((secs * 10))); do
    [ "$(count_marker "$addr" "$marker")" -ge "$want" ] && return 0
    sleep 0.1
  done
  return 1
}

# swaks_run NAME ARGS... - swaks with a transcript in $WORK/NAME.swaks;
# returns swaks's exit status.
swaks_run() {
  local name=$1; shift
  swaks --server 127.0.0.1 --helo client.interop.test --timeout 30 "$@" \
    >"$WORK/$name.swaks" 2>&1 </dev/null
}

# Lines the server sent in a swaks transcript ("<-", "<~" and "<**", "<~*").
server_lines() { sed -n 's/^<[-~*]*  *//p' "$WORK/$1.swaks"; }

# transcript_has NAME REGEX - the server sent a line matching REGEX.
transcript_has() { server_lines "$1" | grep -Eq -- "$2"; }

# Reply to the message data: the first server line after the 354.
data_reply() {
  awk 'f && /^<[-~*]/ { sub(/^<[-~*]* +/, ""); print; exit } /^<[-~*]* +354 / { f = 1 }' "$WORK/$1.swaks"
}

show_transcript() { sed 's/^/  | /' "$WORK/$1.swaks"; }

# The EHLO reply lines (after TLS when TLS=1), without the "250-" prefixes.
ehlo_keywords() {
  local name=$1 tls=${2:-0}
  awk -v tls="$tls" '
    /^ ?~> EHLO/ { inside = (tls == 1); next }
    /^ ?-> EHLO/ { inside = (tls == 0); next }
    inside && /^<[-~] +250[- ]/ { sub(/^<[-~] +250[- ]/, ""); print; next }
    inside && !/^<[-~] +250/ { inside = 0 }' "$WORK/$name.swaks"
}

sha_of_contents() {
  # Content hashes of every message file in a Maildir, sorted: names may
  # change (new/ -> cur/, flags) but contents must not.
  local dir=$1
  find "$dir/new" "$dir/cur" -type f -exec sha256sum {} + 2>/dev/null | awk '{ print $1 }' | sort
}

not() { ! "$@"; }

# matches STRING REGEX (extended, bash =~)
matches() { [[ $1 =~ $2 ]]; }

# The first Received header of a message file, unfolded onto one line.
first_received() {
  sed '/^$/q' "$1" | awk 'NR > 1 && /^[^ \t]/ { print "" } { printf "%s", $0 } END { print "" }' |
    grep -i -m 1 '^Received:'
}

# wait_until SECONDS COMMAND... - polls COMMAND every 0.2 s.
wait_until() {
  local secs=$1 i; shift
  for i in $(seq 1 $((secs * 5))); do "$@" && return 0; sleep 0.2; done
  return 1
}

# grep_count REGEX FILE - lines of FILE matching REGEX (0 when none or no file).
grep_count() { grep -Ec -- "$1" "$2" 2>/dev/null || true; }

# more_than N REGEX FILE - FILE has more than N lines matching REGEX (now).
more_than() { [ "$(grep_count "$2" "$3")" -gt "$1" ]; }

# log_mark FILE - its line count now; since_mark FILE MARK - the lines after it.
log_mark() { wc -l <"$1" 2>/dev/null || echo 0; }
since_mark() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null; }

# Ids of the messages `depesche queue list` shows.
queue_ids() { depesche_cli queue list 2>/dev/null | grep -Eo '\b[0-9a-hjkmnp-tv-z]{16}\b' | sort -u; }

# ehlo_has NAME TLS REGEX - an EHLO keyword line (TLS 0 before, 1 after STARTTLS).
ehlo_has() { ehlo_keywords "$1" "$2" | grep -Eq -- "$3"; }

has_cr() { grep -q $'\r' "$1"; }
