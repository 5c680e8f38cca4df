# Sourced by scenarios that read Depesche's Maildirs with a real Dovecot.
# Runs a private, standalone Dovecot (own config, base_dir and port; no
# system service) that serves <data>/mail/%d/%n over plain IMAP on loopback.
#
# As root, mail processes run as a dedicated unprivileged user (Dovecot
# refuses uid 0 for mail access) that is given the mail directory; as an
# ordinary user, everything runs as that user.

DOVECOT_USER=depesche-imap
DOVECOT_PASS="imap-$RANDOM$RANDOM"
DOVECOT_DIR=""
IMAP_PORT=""

# dovecot_start MAILROOT ADDRESS - ADDRESS may log in with $DOVECOT_PASS.
dovecot_start() {
  local mailroot=$1 addr=$2 uid_settings
  DOVECOT_DIR="$WORK/dovecot"
  IMAP_PORT=$(free_port)
  mkdir -p "$DOVECOT_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    id "$DOVECOT_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin "$DOVECOT_USER" ||
      return 1
    chown -R "$DOVECOT_USER:" "$mailroot" "$DOVECOT_DIR"
    # Dovecot's own processes (auth as "dovecot", mail as $DOVECOT_USER) must
    # reach the passwd file and the Maildirs through our private 0700 dirs.
    local d=$mailroot
    while [ "$d" != / ] && [ "$d" != "$(dirname "$WORK")" ]; do
      chmod o+x "$d"; d=$(dirname "$d")
    done
    uid_settings="mail_uid = $DOVECOT_USER
mail_gid = $(id -gn "$DOVECOT_USER")
first_valid_uid = 1"
  else
    local me; me=$(id -un)
    uid_settings="default_internal_user = $me
default_login_user = $me
default_internal_group = $(id -gn)"
  fi
  printf '%s:{PLAIN}%s\n' "$addr" "$DOVECOT_PASS" >"$DOVECOT_DIR/passwd"
  chmod 644 "$DOVECOT_DIR/passwd"
  cat >"$DOVECOT_DIR/dovecot.conf" <<EOF
# Private Dovecot for the Depesche interop suite.
instance_name = depesche-interop-$$
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
$uid_settings
# Indexes and uidlists go elsewhere: only Depesche's files are in the Maildir.
mail_location = maildir:$mailroot/%d/%n:INDEX=$DOVECOT_DIR/index/%d/%n:CONTROL=$DOVECOT_DIR/control/%d/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/passwd
}
userdb {
  driver = static
  args = home=$DOVECOT_DIR/home/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
  dovecot -c "$DOVECOT_DIR/dovecot.conf" || return 1
  on_cleanup dovecot_stop
  local i
  for i in $(seq 1 100); do
    port_open "$IMAP_PORT" && return 0
    sleep 0.1
  done
  return 1
}

# dovecot_share_mail MAILROOT - as root, gives Dovecot's mail user what Depesche
# (running as root here) delivered since dovecot_start. Depesche creates mail
# 0600 and Maildirs 0700, readable by its own user only; in production Dovecot
# reads them as that same user (mail_uid), which uid 0 cannot be.
dovecot_share_mail() {
  [ "$(id -u)" -eq 0 ] || return 0
  chown -R "$DOVECOT_USER:" "$1"
}

dovecot_stop() {
  local pidfile="$DOVECOT_DIR/run/master.pid" i
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# imap_cmd ADDRESS URL-PATH [CUSTOM-COMMAND] - curl against the private Dovecot.
imap_cmd() {
  local addr=$1 path=$2; shift 2
  curl -sS --max-time 30 --user "$addr:$DOVECOT_PASS" "imap://127.0.0.1:$IMAP_PORT/$path" "$@"
}

# Error, fatal or panic lines in Dovecot's log (e.g. a wrong S= or W=).
dovecot_errors() { grep -Ei ': (Error|Fatal|Panic):' "$DOVECOT_DIR/dovecot.log" || true; }
