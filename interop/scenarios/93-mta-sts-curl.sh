#!/usr/bin/env bash
# MTA-STS policy serving (RFC 8461 3.2, 3.3) checked with a real HTTPS
# client: [mta_sts] listen on a free loopback port with a certificate for
# mx.example.test and mta-sts.example.test from a CA made here; curl fetches
# https://mta-sts.example.test/.well-known/mta-sts.txt (--resolve to
# 127.0.0.1, --cacert the CA, no -k): 200, Content-Type text/plain, every line
# ending in CRLF or LF, version STSv1, the configured mode, mx and max_age.
# Another path, another host and a POST get no policy and no redirect; the
# _mta-sts TXT record that `depesche dns records` prints carries the id the
# server announces.
. "$(dirname "$0")/../lib/common.sh"

command -v curl >/dev/null || skip "curl is not installed"
depesche_setup alice@example.test
DOMAIN=$USER_DOMAIN
STS_HOST="mta-sts.$DOMAIN"

# --- A CA of our own and a server certificate naming the MX and the policy host.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Interop MTA-STS CA" \
  -keyout "$WORK/ca-key.pem" -out "$WORK/ca.pem" >/dev/null 2>&1 || abort "openssl req (the CA) failed"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$HOSTNAME_FQDN" \
  -keyout "$CONF_DIR/tls/key.pem" -out "$WORK/leaf.csr" >/dev/null 2>&1 || abort "openssl req (the server key) failed"
printf 'subjectAltName=DNS:%s,DNS:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n' \
  "$HOSTNAME_FQDN" "$STS_HOST" >"$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 1 \
  -extfile "$WORK/leaf.ext" -out "$CONF_DIR/tls/cert.pem" >/dev/null 2>&1 || abort "openssl x509 (signing the server certificate) failed"

mta_sts_configure
depesche_start
mta_sts_wait
say "policy host $STS_HOST on 127.0.0.1:$STS_PORT"

# sts_curl NAME [HOST] [PATH] [CURL ARGS...] - headers in $WORK/NAME.h, body in $WORK/NAME.body; prints "code redirect".
sts_curl() {
  local name=$1 host=${2:-$STS_HOST} path=${3:-/.well-known/mta-sts.txt}
  shift 3 2>/dev/null || shift $#
  curl -sS --max-time 20 --proto '=https' --resolve "$host:$STS_PORT:127.0.0.1" --cacert "$WORK/ca.pem" \
    -D "$WORK/$name.h" -o "$WORK/$name.body" -w '%{http_code} %{redirect_url}' "$@" \
    "https://$host:$STS_PORT$path" 2>"$WORK/$name.err"
}

status=$(sts_curl policy)
check "curl fetched the policy over verified HTTPS: 200 ($status)" matches "$status" '^200 $'
[ "$status" = "200 " ] || sed 's/^/  | /' "$WORK/policy.err"
ctype=$(tr -d '\r' <"$WORK/policy.h" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p' | head -n 1)
check "Content-Type is text/plain ($ctype)" matches "$ctype" '^text/plain(;.*)?$'
check "no Location header" not grep -qi '^Location:' "$WORK/policy.h"

# RFC 8461 3.2: sts-policy-record = *WSP sts-policy-field *WSP *(sts-policy-term ...), term = LF / CRLF.
python3 - "$WORK/policy.body" >"$WORK/policy.parsed" 2>&1 <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("ascii")
assert text.endswith("\n"), "the last line has no line end"
fields = {}
for line in re.split(r"\r?\n", text)[:-1]:
    assert "\r" not in line, f"a bare CR in {line!r}"
    m = re.fullmatch(r"[ \t]*([A-Za-z0-9_]{1,32}):[ \t]*([\x21-\x3a\x3c-\x7e]+)[ \t]*", line)
    assert m, f"not a policy field: {line!r}"
    fields.setdefault(m.group(1), []).append(m.group(2))
for k in ("version", "mode", "max_age"):
    assert len(fields.get(k, [])) == 1, f"{k} appears {len(fields.get(k, []))} times"
print("ends=" + ("crlf" if b"\r\n" in raw else "lf"))
for k, vs in fields.items():
    for v in vs:
        print(f"{k}={v}")
PY
parsed=$?
check "the body parses as RFC 8461 3.2 fields, each line ending in CRLF or LF ($(grep '^ends=' "$WORK/policy.parsed"))" test $parsed -eq 0
[ $parsed -eq 0 ] || sed 's/^/  | /' "$WORK/policy.parsed"
check "version: STSv1" grep -qx 'version=STSv1' "$WORK/policy.parsed"
check "mode: enforce" grep -qx 'mode=enforce' "$WORK/policy.parsed"
check "mx: $HOSTNAME_FQDN (the only mx line)" test "$(grep '^mx=' "$WORK/policy.parsed")" = "mx=$HOSTNAME_FQDN"
check "max_age: 86400" grep -qx 'max_age=86400' "$WORK/policy.parsed"

status=$(sts_curl head "$STS_HOST" /.well-known/mta-sts.txt --head)
check "HEAD gives 200 as well ($status)" matches "$status" '^200 $'
status=$(sts_curl other "$STS_HOST" /)
check "another path (/) gives 404 and no redirect ($status)" matches "$status" '^404 $'
status=$(sts_curl slash "$STS_HOST" /.well-known/mta-sts.txt/)
check "the path with a trailing slash gives 404, not a redirect ($status)" matches "$status" '^404 $'
check "  and no Location header" not grep -qi '^Location:' "$WORK/slash.h"
status=$(sts_curl wronghost "$HOSTNAME_FQDN" /.well-known/mta-sts.txt)
check "host $HOSTNAME_FQDN (not mta-sts.<local domain>) gives 404 ($status)" matches "$status" '^404 $'
status=$(sts_curl post "$STS_HOST" /.well-known/mta-sts.txt --data x)
check "POST gives 405 ($status)" matches "$status" '^405 $'
check "  without the policy in the body" not grep -q 'STSv1' "$WORK/post.body"

depesche_cli dns records "$DOMAIN" >"$WORK/records.out" 2>&1 || { sed 's/^/  | /' "$WORK/records.out"; abort "depesche dns records $DOMAIN failed"; }
txt=$(grep -E "^_mta-sts\.$DOMAIN\.[[:space:]]+IN[[:space:]]+TXT" "$WORK/records.out")
check "dns records prints the _mta-sts.$DOMAIN TXT record ($txt)" matches "$txt" '"v=STSv1; id=[A-Za-z0-9]{1,32};?"'
printed_id=$(sed -n 's/.*id=\([A-Za-z0-9]*\).*/\1/p' <<<"$txt")
served_id=$(sed -n 's/.*event=mta-sts-listening .*id=\([A-Za-z0-9]*\).*/\1/p' "$SERVER_LOG" | tail -n 1)
check "its id is the one the running server announces ($printed_id = $served_id)" test -n "$printed_id" -a "$printed_id" = "$served_id"
check "the printed policy is the served one" diff <(sed -n 's/^;   //p' "$WORK/records.out") <(tr -d '\r' <"$WORK/policy.body")

# The id follows the policy: another max_age, another id.
toml_set max_age '"2d"' mta_sts
depesche_cli dns records "$DOMAIN" >"$WORK/records2.out" 2>&1
new_id=$(sed -n 's/^_mta-sts.*id=\([A-Za-z0-9]*\).*/\1/p' "$WORK/records2.out")
check "a changed policy gets another id ($new_id)" test -n "$new_id" -a "$new_id" != "$printed_id"

finish
