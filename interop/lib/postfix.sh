# Sourced by scenarios that run a stock Debian Postfix next to Depesche: a
# private instance (`postfix -c DIR`, own queue, log file, no chroot) on
# 127.0.0.1 (Postfix wants inet_interfaces to be an interface address). An
# MX it sends to must be elsewhere in 127/8 (MX_ADDR in common.sh), or
# Postfix says "mail for X loops back to myself".
#
#   postfix_setup [MAIN.CF LINES...]   writes $PF_DIR/etc/{main,master}.cf
#   postfix_start                      starts it with /etc/resolv.conf -> Unbound
#   postfix_log                        the instance's log file
#   postfix_queue_ids                  ids of the messages in its queue
#   postfix_cert CN                    a self-signed key and certificate: $WORK/postfix-{cert,key}.pem
#   postfix_tls_setup CN [LINES...]    both: Postfix receiving with STARTTLS offered, or the scenario stops
#   postfix_selftest NAME RCPT MARKER  swaks hands Postfix a message over STARTTLS ($WORK/NAME.swaks)
#   depesche_to_postfix ZONE           Depesche asks Unbound, validates from ZONE's DS, sends to $PF_PORT
#   pf_maildir ADDR, pf_count ADDR MARKER, pf_wait ADDR MARKER [SECONDS]
#                                      Postfix's virtual Maildir for ADDR, messages there with MARKER
#
# Postfix asks the system resolver, which takes no port and whose AD bit
# glibc only passes on with "options trust-ad": the instance runs in a
# mount namespace of its own where /etc/resolv.conf is a bind mount of a
# file naming Unbound on $UNBOUND_ADDR:53 (lib/dnssec.sh). Without mount
# namespaces the host's /etc/resolv.conf is swapped and restored at cleanup.
# Needs root (Postfix's master runs as root).

PF_DIR="" PF_ADDR="" PF_PORT="" PF_MAIL_USER=depesche-pfmail PF_RESOLV_BACKUP=""

# Puts Depesche's MX listener (common.sh, before depesche_setup) on a random
# 127.26.x.y, away from Postfix's 127.0.0.1.
mx_apart_from_postfix() { MX_ADDR="127.26.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 2))"; }

postfix_setup() {
  PF_DIR="$WORK/postfix"
  PF_ADDR=127.0.0.1
  PF_PORT=$(free_port)
  id "$PF_MAIL_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PF_MAIL_USER" || return 1
  # The postfix user and the mail user must traverse our private directories.
  local d=$WORK
  while [ "$d" != / ] && [ "$d" != "$(dirname "$WORK")" ]; do chmod o+x "$d"; d=$(dirname "$d"); done
  mkdir -p "$PF_DIR/etc" "$PF_DIR/spool" "$PF_DIR/lib" "$PF_DIR/mail"
  chmod 755 "$PF_DIR"
  chown postfix "$PF_DIR/lib"
  chown "$PF_MAIL_USER:" "$PF_DIR/mail"
  {
    cat <<EOF
# Private Postfix for the Depesche interop suite: stock settings except
# what a private instance needs and what the scenario adds below.
compatibility_level = 3.6
queue_directory = $PF_DIR/spool
data_directory = $PF_DIR/lib
meta_directory = /etc/postfix
myhostname = postfix.interop.test
mydestination =
inet_interfaces = $PF_ADDR
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
virtual_mailbox_base = $PF_DIR/mail
virtual_uid_maps = static:$(id -u "$PF_MAIL_USER")
virtual_gid_maps = static:$(id -g "$PF_MAIL_USER")
maillog_file_prefixes = $PF_DIR
maillog_file = $PF_DIR/postfix.log
smtp_tls_loglevel = 1
smtpd_tls_loglevel = 1
# Retry soon, so a scenario sees a second attempt if it waits for one.
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 20s
EOF
    printf '%s\n' "$@"
  } >"$PF_DIR/etc/main.cf"
  # master.cf: the Debian default with the SMTP listener on our address and
  # port, and no chroot (the private queue directory has no chroot set-up).
  local proto=/etc/postfix/master.cf.proto
  [ -f "$proto" ] || proto=/usr/share/postfix/master.cf.dist
  sed -e 's/^smtp\( *\)inet /'"$PF_ADDR:$PF_PORT"'\1inet /' \
      -e '/^[a-z]/ s/^\([^ ]\+ \+[^ ]\+ \+[^ ]\+ \+[^ ]\+ \+\)y/\1n/' \
      "$proto" >"$PF_DIR/etc/master.cf"
  postfix -c "$PF_DIR/etc" check
}

postfix_start() {
  printf 'nameserver %s\noptions trust-ad\n' "$UNBOUND_ADDR" >"$PF_DIR/resolv.conf"
  on_cleanup postfix_stop
  if unshare -m --propagation private true 2>/dev/null; then
    say "Postfix resolves through Unbound $UNBOUND_ADDR:53 (its own /etc/resolv.conf in a mount namespace)"
    unshare -m --propagation private sh -c \
      'mount --bind "$1" /etc/resolv.conf && exec postfix -c "$2" start' \
      sh "$PF_DIR/resolv.conf" "$PF_DIR/etc" >"$PF_DIR/start.out" 2>&1 || {
      sed 's/^/  | /' "$PF_DIR/start.out"; return 1; }
  else
    say "Postfix resolves through Unbound $UNBOUND_ADDR:53 (no mount namespace here: /etc/resolv.conf swapped until cleanup)"
    PF_RESOLV_BACKUP="$WORK/resolv.conf.host"
    cp -a /etc/resolv.conf "$PF_RESOLV_BACKUP" || return 1
    on_cleanup postfix_restore_resolv
    cat "$PF_DIR/resolv.conf" >/etc/resolv.conf
    postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.out" 2>&1 || {
      sed 's/^/  | /' "$PF_DIR/start.out"; return 1; }
  fi
  local i
  for i in $(seq 1 300); do
    port_open "$PF_PORT" "$PF_ADDR" && return 0
    sleep 0.1
  done
  return 1
}

postfix_stop() {
  [ -n "$PF_DIR" ] && [ -f "$PF_DIR/etc/main.cf" ] || return 0
  postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true
  # "postfix stop" returns before every child has gone; wait for the master.
  local pid i
  pid=$(cat "$PF_DIR/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
  for i in $(seq 1 100); do
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
}

postfix_restore_resolv() {
  [ -n "$PF_RESOLV_BACKUP" ] && [ -f "$PF_RESOLV_BACKUP" ] || return 0
  cat "$PF_RESOLV_BACKUP" >/etc/resolv.conf
  PF_RESOLV_BACKUP=""
}

postfix_log() { echo "$PF_DIR/postfix.log"; }

# postfix_log_has REGEX [SECONDS] - waits for a log line matching REGEX.
postfix_log_has() {
  local re=$1 secs=${2:-30} i
  for i in $(seq 1 $((secs * 10))); do
    grep -Eq -- "$re" "$PF_DIR/postfix.log" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

postfix_queue_ids() {
  postqueue -c "$PF_DIR/etc" -j 2>/dev/null |
    python3 -c 'import sys, json; [print(json.loads(l)["queue_id"]) for l in sys.stdin if l.strip()]'
}

# postfix_send NAME FROM TO MARKER - swaks hands a message to Postfix's smtpd
# (relayed because 127/8 is in mynetworks); transcript in $WORK/NAME.swaks.
postfix_send() {
  swaks --server "$PF_ADDR" --port "$PF_PORT" --helo client.interop.test --timeout 30 \
    --from "$2" --to "$3" --header "Subject: $4" --body "$4" \
    >"$WORK/$1.swaks" 2>&1 </dev/null
}

# postfix_cert CN - a P-256 key and a self-signed certificate for CN, for
# smtpd_tls_cert_file/smtpd_tls_key_file.
postfix_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=$1" -keyout "$WORK/postfix-key.pem" -out "$WORK/postfix-cert.pem" \
    >/dev/null 2>&1 || return 1
  chmod 600 "$WORK/postfix-key.pem"
}

# postfix_tls_setup CN [MAIN.CF LINES...] - a Postfix that receives with a
# certificate for CN, STARTTLS offered (not required) and TLS in its
# Received headers; $PFLOG is its log file. Stops the scenario on failure.
postfix_tls_setup() {
  local cn=$1; shift
  postfix_cert "$cn" || abort "openssl req (Postfix's certificate) failed"
  postfix_setup \
    "smtpd_tls_cert_file = $WORK/postfix-cert.pem" \
    "smtpd_tls_key_file = $WORK/postfix-key.pem" \
    "smtpd_tls_security_level = may" \
    "smtpd_tls_received_header = yes" \
    "$@" >"$WORK/postfix-check.out" 2>&1 ||
    { sed 's/^/  | /' "$WORK/postfix-check.out"; abort "postfix check failed"; }
  PFLOG=$(postfix_log)
}

# postfix_selftest NAME RCPT MARKER - the receiving side alone first, so that
# a failure later points at Depesche: swaks --tls to Postfix; then waits for
# the message in RCPT's Maildir.
postfix_selftest() {
  swaks --server "$PF_ADDR" --port "$PF_PORT" --tls --helo client.interop.test --timeout 30 \
    --from probe@client.interop.test --to "$2" --header "Subject: $3" --body "$3" \
    >"$WORK/$1.swaks" 2>&1 </dev/null
  pf_wait "$2" "$3" 30
}

# depesche_to_postfix ZONE - Depesche's [dns] asks Unbound (lib/dnssec.sh)
# and validates itself from ZONE's DS (mode "validate"); outbound SMTP goes
# to Postfix's port. Stops the scenario when check-config refuses that.
depesche_to_postfix() {
  toml_set servers "[\"127.0.0.1:$UNBOUND_PORT\"]" dns
  toml_set trust_anchor "\"$DNS_DIR/$1.ds\"" dns
  toml_set mode '"validate"' dns
  toml_set smtp_port "$PF_PORT" delivery
  depesche_cli check-config >"$WORK/check-config.out" 2>&1 ||
    { sed 's/^/  | /' "$WORK/check-config.out"; abort "depesche check-config refuses the [dns]/[delivery] settings"; }
}

# The Maildir of ADDR under virtual_mailbox_base (maps give DOMAIN/LOCAL/).
pf_maildir() { echo "$PF_DIR/mail/${1#*@}/${1%@*}"; }
pf_count() { grep -lF -- "$2" "$(pf_maildir "$1")"/new/* "$(pf_maildir "$1")"/cur/* 2>/dev/null | grep -c . || true; }
pf_wait() {
  local i
  for i in $(seq 1 $(( ${3:-60} * 10 ))); do
    [ "$(pf_count "$1" "$2")" -ge 1 ] && return 0
    sleep 0.1
  done
  return 1
}
