#!/usr/bin/env bash
# THREATS T11: STARTTLS drops every byte the client sent before the TLS
# handshake. A command pipelined behind STARTTLS (CVE-2011-0411 style
# injection) must not be executed inside the TLS session.
. "$(dirname "$0")/../lib/common.sh"

depesche_setup alice@example.test
depesche_start

for kind in MX:$MX_PORT submission:$SUB_PORT; do
  name=${kind%%:*}; port=${kind#*:}
  say "$name port $port"
  python3 "$LIB/starttls_inject.py" "$port" >"$WORK/$name.txt" 2>&1
  rc=$?
  check "[$name] the command injected behind STARTTLS is not answered inside TLS (exit $rc)" test "$rc" -eq 0
  check "[$name] the handshake used TLS 1.3" grep -q '^TLS TLSv1\.3$' "$WORK/$name.txt"
  check "[$name] the session still works: EHLO inside TLS gets 250" grep -Eq '^S: 250[- ]' <(sed -n '/^TLS /,$p' "$WORK/$name.txt")
  [ "$rc" -eq 0 ] || sed 's/^/  | /' "$WORK/$name.txt"
done

finish
