#!/usr/bin/env bash
# First benchmark (issue 2): smtp-source against Depesche and against a stock
# Postfix delivering to a Maildir, on this machine, in the same run. Both are
# durable with their defaults (fsync before 250, fsync of the Maildir file).
# Measures messages per second end to end: from the first connection until
# the Maildir holds every message. Prints the figures; asserts nothing.
#
#   bench/smtp-source-vs-postfix.sh [-m MESSAGES] [-s "1 50"] [-l BYTES] [-w WARMUP] [-o postfix|depesche]
#   (-o measures only one of the two)
#
# Needs root (it installs postfix for smtp-source and runs a private Postfix
# instance). Work files (both spools and Maildirs, on the same file system)
# go to a temporary directory under ${BENCH_TMPDIR:-/var/tmp}, which the
# postfix user must be able to traverse; BENCH_KEEP=1 keeps them. The
# figures are also written to bench/out/last-results.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$repo/interop/lib/install.sh"
export PATH="$PATH:/usr/sbin:/sbin"

messages=2000 sessions="1 50" size=4096 warmup=200 only=""
while getopts "m:s:l:w:o:" o; do
  case $o in
    m) messages=$OPTARG ;; s) sessions=$OPTARG ;; l) size=$OPTARG ;; w) warmup=$OPTARG ;;
    o) only=$OPTARG ;;
    *) echo "usage: $0 [-m MESSAGES] [-s \"1 50\"] [-l BYTES] [-w WARMUP] [-o postfix|depesche]" >&2; exit 2 ;;
  esac
done
case "$only" in ""|postfix|depesche) ;; *) echo "bench: -o takes postfix or depesche" >&2; exit 2 ;; esac
wanted() { [ -z "$only" ] || [ "$only" = "$1" ]; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (it sets up a private Postfix instance)" >&2; exit 2; }

depesche_apt_install smtp-source=postfix python3=python3
BENCH_USER=depesche-bench
id "$BENCH_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$BENCH_USER"

mkdir -p "$repo/bench/out"
WORK=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/depesche-bench-$(date -u +%Y%m%dT%H%M%SZ)-XXXX")
chmod 755 "$WORK"
PF="$WORK/postfix" DP="$WORK/depesche"
DEPESCHE_PID=""
RCPT=bench@bench.test

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  local i
  for i in $(seq 1 600); do port_open "$1" && return 0; sleep 0.1; done
  echo "bench: nothing listens on port $1 after 60 s" >&2; return 1
}

cleanup() {
  local rc=$?
  [ -f "$PF/etc/main.cf" ] && postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
  if [ -n "$DEPESCHE_PID" ]; then kill "$DEPESCHE_PID" 2>/dev/null; wait "$DEPESCHE_PID" 2>/dev/null || true; fi
  if [ -n "${BENCH_KEEP:-}" ] || [ $rc -ne 0 ]; then echo "bench: work files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- Postfix: a private instance with its own config, queue and data dirs.
setup_postfix() {
  PF_PORT=$(free_port)
  mkdir -p "$PF/etc" "$PF/spool" "$PF/lib" "$PF/mail"
  chown postfix "$PF/lib"
  chown "$BENCH_USER:" "$PF/mail"
  cat >"$PF/etc/main.cf" <<EOF
# Stock settings except what a private instance needs; durability untouched.
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/lib
meta_directory = /etc/postfix
myhostname = postfix.bench.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $PF/mail
# Every recipient of bench.test goes to one Maildir (trailing slash = Maildir).
virtual_mailbox_maps = static:bench.test/bench/
virtual_uid_maps = static:$(id -u "$BENCH_USER")
virtual_gid_maps = static:$(id -g "$BENCH_USER")
alias_maps =
alias_database =
maillog_file_prefixes = $PF
maillog_file = $PF/postfix.log
EOF
  # master.cf: the Debian default with the SMTP listener moved to our port
  # and no chroot (the private queue directory has no chroot set-up).
  sed -e 's/^smtp\( *\)inet /'"127.0.0.1:$PF_PORT"'\1inet /' \
      -e '/^[a-z]/ s/^\([^ ]\+ \+[^ ]\+ \+[^ ]\+ \+[^ ]\+ \+\)y/\1n/' \
      /etc/postfix/master.cf.proto >"$PF/etc/master.cf"
  postfix -c "$PF/etc" check
  postfix -c "$PF/etc" start
  wait_port "$PF_PORT"
  PF_MAILDIR="$PF/mail/bench.test/bench/new"
}

# --- Depesche: a quickstart instance, as a new user would run it.
setup_depesche() {
  DP_PORT=$(free_port)
  "$repo/depesche" quickstart "$RCPT" --dir "$DP" --hostname depesche.bench.test >"$WORK/quickstart.out" 2>&1
  local p1 p2
  p1=$(free_port); p2=$(free_port)
  python3 "$repo/interop/lib/toml_set.py" "$DP/depesche.toml" listen smtp "\"127.0.0.1:$DP_PORT\""
  python3 "$repo/interop/lib/toml_set.py" "$DP/depesche.toml" listen submission "\"127.0.0.1:$p1\""
  python3 "$repo/interop/lib/toml_set.py" "$DP/depesche.toml" listen submissions "\"127.0.0.1:$p2\""
  # 50 sessions from one address: above the default per-IP limit of 20.
  python3 "$repo/interop/lib/toml_set.py" "$DP/depesche.toml" limits max_connections_per_ip 200
  "$repo/depesche" serve --config "$DP/depesche.toml" >"$WORK/depesche.log" 2>&1 </dev/null &
  DEPESCHE_PID=$!
  wait_port "$DP_PORT"
  DP_MAILDIR="$DP/data/mail/bench.test/bench/new"
}

count() { { find "$1" -maxdepth 1 -type f 2>/dev/null || true; } | wc -l; }

# run LABEL PORT MAILDIR SESSIONS MESSAGES - prints "END_TO_END_SECONDS SMTP_SECONDS"
# (until the Maildir has all messages; until smtp-source got its last reply).
run() {
  local label=$1 port=$2 dir=$3 s=$4 m=$5 before start sent end i
  before=$(count "$dir")
  start=$(date +%s.%N)
  if ! smtp-source -s "$s" -m "$m" -l "$size" -f sender@client.bench.test -t "$RCPT" \
      "127.0.0.1:$port" >"$WORK/smtp-source-$label-$s.out" 2>&1; then
    echo "bench: smtp-source against $label failed:" >&2
    tail -n 5 "$WORK/smtp-source-$label-$s.out" >&2
    echo fail fail; return 0
  fi
  sent=$(date +%s.%N)
  for i in $(seq 1 6000); do
    [ "$(count "$dir")" -ge $((before + m)) ] && break
    sleep 0.05
  done
  end=$(date +%s.%N)
  if [ "$(count "$dir")" -lt $((before + m)) ]; then
    echo "bench: $label has only $(( $(count "$dir") - before )) of $m messages after 5 minutes" >&2
    echo fail fail; return 0
  fi
  echo "$start $sent $end" | awk '{ printf "%.3f %.3f\n", $3 - $1, $2 - $1 }'
}

echo "bench: setting up Postfix and Depesche in $WORK"
wanted postfix && setup_postfix
wanted depesche && setup_depesche

echo "bench: warm-up, $warmup messages each (not measured)"
wanted postfix && run postfix "$PF_PORT" "$PF_MAILDIR" 10 "$warmup" >/dev/null
wanted depesche && run depesche "$DP_PORT" "$DP_MAILDIR" 10 "$warmup" >/dev/null

results="$WORK/results.txt"
{
  echo "# smtp-source -m $messages -l $size, end to end into the Maildir; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# machine: $(nproc) cores, $(uname -r), work dir on $(df --output=source,fstype "$WORK" | tail -n 1 | tr -s ' ')"
  echo "# postfix $(postconf -d -h mail_version); depesche $(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?'), $("$repo/depesche" --version 2>/dev/null | head -n 1 || true)"
  printf '%-9s %14s %14s %17s   %s\n' sessions "postfix msg/s" "depesche msg/s" "depesche/postfix" "(accepted msg/s: smtp-source done, before local delivery finished)"
} >"$results"
for s in $sessions; do
  tp="- -" td="- -"
  if wanted postfix; then
    echo "bench: $s session(s), $messages messages of $size bytes: postfix..."
    tp=$(run postfix "$PF_PORT" "$PF_MAILDIR" "$s" "$messages")
  fi
  if wanted depesche; then
    echo "bench: $s session(s), $messages messages of $size bytes: depesche..."
    td=$(run depesche "$DP_PORT" "$DP_MAILDIR" "$s" "$messages")
  fi
  awk -v s="$s" -v m="$messages" -v tp="$tp" -v td="$td" '
    function rate(t) { return (t ~ /^[0-9.]+$/ && t > 0) ? sprintf("%.1f", m / t) : t }
    BEGIN {
      split(tp, p, " "); split(td, d, " ")
      rp = rate(p[1]); rd = rate(d[1])
      ratio = (rp ~ /^[0-9]/ && rd ~ /^[0-9]/) ? sprintf("%.2f", rd / rp) : "-"
      printf "%-9s %14s %14s %17s   (postfix %s, depesche %s)\n", s, rp, rd, ratio, rate(p[2]), rate(d[2]) }' >>"$results"
done
echo
cat "$results"
cp "$results" "$repo/bench/out/last-results.txt"
