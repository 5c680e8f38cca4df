# Sourced by interop/run-all and bench/: installs Debian packages the suite
# needs, once, without prompts and without leaving system services running
# on the ports we want (CI machines are fresh Debian, we are root there).

# depesche_apt_install WHAT=PACKAGE... - installs PACKAGE when WHAT is
# missing; WHAT is a command, or a Perl module such as Net::SSLeay.
depesche_apt_install() {
  local missing=() pair what pkg
  for pair in "$@"; do
    what=${pair%%=*}; pkg=${pair#*=}
    case "$what" in
      *::*) perl -M"$what" -e 1 >/dev/null 2>&1 && continue ;;
      *) { command -v "$what" || [ -x "/usr/sbin/$what" ]; } >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "install: missing ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "install: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks what kind of mail system this is; we configure our own instances.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  # Keep package scripts from starting dovecot/postfix/nsd/unbound system
  # services: they would take ports 25/143/53 and keep running after us.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created_policy=1
  fi
  local rc=0
  if [ -z "${DEPESCHE_APT_UPDATED:-}" ]; then
    apt-get update -q >/dev/null || rc=$?
    DEPESCHE_APT_UPDATED=1; export DEPESCHE_APT_UPDATED
  fi
  if [ $rc -eq 0 ]; then
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  fi
  [ -n "$created_policy" ] && rm -f "$policy"
  # In case a service started anyway (no policy-rc.d honoured), stop it.
  local svc
  for svc in dovecot postfix nsd unbound; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
      systemctl stop "$svc" >/dev/null 2>&1 || true
      systemctl disable "$svc" >/dev/null 2>&1 || true
    fi
  done
  [ -x /usr/sbin/postfix ] && /usr/sbin/postfix status >/dev/null 2>&1 && /usr/sbin/postfix stop >/dev/null 2>&1
  local pidfile
  for pidfile in /run/dovecot/master.pid /run/nsd/nsd.pid /run/unbound.pid; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  if [ $rc -ne 0 ]; then echo "install: apt-get failed (exit $rc)" >&2; fi
  return $rc
}
