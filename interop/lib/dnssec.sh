# Sourced by scenarios that need DNSSEC: a private NSD serves one test zone
# signed with ldns-signzone, and a private Unbound validates it with the
# zone's own DS as trust anchor (a stub zone sends its queries to NSD).
# Both run in the foreground of a background job, bind loopback only and
# are stopped by the scenario's cleanup.
#
#   dns_init                      picks ports/addresses, sets DNS_DIR ...
#   zone_head ZONE                SOA, NS and the name server's A, to start a zone file
#   dns_sign ZONE FILE            keys + ldns-signzone -> $DNS_DIR/ZONE.signed, $DNS_DIR/ZONE.ds
#   dns_forge ZONE OWNER TYPE A B rewrites a signed record (its RRSIG then fails: bogus)
#   dns_unsigned ZONE FILE        an unsigned zone to serve too (-> $DNS_DIR/ZONE.zone)
#   nsd_start ZONE [UNSIGNED...]  serves $DNS_DIR/ZONE.signed (and each $DNS_DIR/UNSIGNED.zone)
#                                 on 127.0.0.1:$NSD_PORT
#   unbound_start ZONE [UNSIGNED...]  validating resolver on $UNBOUND_ADDR:53 (and :$UNBOUND_PORT)
#   dns_start ZONE [UNSIGNED...]  both, stopping the scenario if one does not answer
#   validated NAME TYPE           Unbound answers with the AD bit
#   answered_insecure NAME TYPE   Unbound answers without it (an unsigned zone)
#   unbound_mark, unbound_asked NAME TYPE   a client asked Unbound for it since the mark
#   tlsa_311 CERT.pem             prints the SHA-256 of the certificate's SubjectPublicKeyInfo
#   other_key_311                 the same for a fresh key nobody serves
#
# An unsigned zone below the signed one (delegated by NS records without a
# DS, which the signed NSEC chain then proves absent) is provably insecure,
# as RFC 4035 5.2 has it: what a domain that never enabled DNSSEC looks like.
#
# Unbound listens on port 53 of an address of its own in 127/8, because
# libc resolvers (Postfix) cannot be told another port; it also listens on a
# free port of 127.0.0.1 for clients that take "host:port" (Depesche).

DNS_DIR="" NSD_PORT="" NSD_PID="" UNBOUND_PID="" UNBOUND_ADDR="" UNBOUND_PORT=""

dns_init() {
  DNS_DIR="$WORK/dns"
  mkdir -p "$DNS_DIR"
  NSD_PORT=$(free_port)
  UNBOUND_PORT=$(free_port)
  while [ "$UNBOUND_PORT" = "$NSD_PORT" ]; do UNBOUND_PORT=$(free_port); done
  # An address nobody else uses for port 53 (not 127.0.0.53/54: systemd-resolved).
  UNBOUND_ADDR="127.53.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 2))"
}

# zone_head ZONE - the start of a zone file: SOA, NS, the name server's A.
zone_head() {
  printf '$ORIGIN %s.\n$TTL 300\n' "$1"
  printf '@                 SOA   ns.%s. hostmaster.%s. 1 3600 600 86400 300\n' "$1" "$1"
  printf '@                 NS    ns.%s.\n' "$1"
  printf 'ns                A     127.0.0.1\n'
}

# dns_sign ZONE FILE - a KSK and a ZSK (ECDSA P-256), NSEC, signatures
# valid from now for ldns-signzone's default four weeks.
dns_sign() {
  local zone=$1 file=$2 ksk zsk
  ( cd "$DNS_DIR" &&
    ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$zone") &&
    zsk=$(ldns-keygen -a ECDSAP256SHA256 "$zone") &&
    cp "$file" "$zone.zone" &&
    ldns-signzone -f "$zone.signed" "$zone.zone" "$ksk" "$zsk" &&
    cp "$ksk.ds" "$zone.ds" ) >"$DNS_DIR/sign-$zone.out" 2>&1 || {
    sed 's/^/  | /' "$DNS_DIR/sign-$zone.out"; return 1; }
}

# dns_forge ZONE OWNER TYPE OLD NEW - after signing, rewrites OLD to NEW in
# OWNER's TYPE record of the signed ZONE, as an attacker on the path would:
# the RRSIG no longer matches, so a validator calls the answer bogus.
dns_forge() {
  local file="$DNS_DIR/$1.signed" owner="${2//./\\.}\\." type=$3
  sed -i -E "/^$owner[[:space:]].*[[:space:]]$type[[:space:]]/s/$4/$5/" "$file"
  grep -Eq "^$owner[[:space:]].*[[:space:]]$type[[:space:]].*$5" "$file"
}

dns_unsigned() { cp "$2" "$DNS_DIR/$1.zone"; }

# Waits until a DNS server answers a query for ZONE's SOA at ADDR PORT.
dns_wait() {
  local addr=$1 port=$2 zone=$3 i
  for i in $(seq 1 100); do
    drill -p "$port" @"$addr" SOA "$zone" 2>/dev/null | grep -q "ANSWER: [1-9]" && return 0
    sleep 0.1
  done
  return 1
}

# nsd_conf DIR PORT - the server part of a private NSD's config (zone: entries follow),
# serving on 127.0.0.1:PORT with its files in DIR.
nsd_conf() {
  cat <<EOF
# Private NSD for the Depesche interop suite.
server:
  ip-address: 127.0.0.1@$2
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$1"
  database: ""
  zonelistfile: "$1/nsd.zonelist"
  xfrdfile: "$1/nsd.xfrd.state"
  xfrdir: "$1"
  pidfile: "$1/nsd.pid"
  logfile: "$1/nsd.log"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
EOF
}

nsd_start() {
  local zone=$1 extra
  shift
  {
    nsd_conf "$DNS_DIR" "$NSD_PORT"
    printf 'zone:\n  name: "%s"\n  zonefile: "%s.signed"\n' "$zone" "$zone"
    for extra in "$@"; do printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$extra" "$extra"; done
  } >"$DNS_DIR/nsd.conf"
  nsd-checkconf "$DNS_DIR/nsd.conf" || return 1
  nsd -d -c "$DNS_DIR/nsd.conf" >"$DNS_DIR/nsd.out" 2>&1 </dev/null &
  NSD_PID=$!
  on_cleanup nsd_stop
  dns_wait 127.0.0.1 "$NSD_PORT" "$zone"
}

# dns_start ZONE - NSD and Unbound for the signed ZONE, or the scenario stops.
dns_start() {
  nsd_start "$@" || abort "NSD did not answer on 127.0.0.1:$NSD_PORT (see $DNS_DIR/nsd.log)"
  unbound_start "$@" || abort "Unbound did not answer on $UNBOUND_ADDR:53 (see $DNS_DIR/unbound.log)"
}

nsd_stop() {
  [ -n "$NSD_PID" ] || return 0
  kill -TERM "$NSD_PID" 2>/dev/null || true
  wait "$NSD_PID" 2>/dev/null || true
  NSD_PID=""
}

# unbound_conf DIR TRUST-ANCHOR-FILE INTERFACE... - the server part of a private validating
# Unbound's config (stub-zone: entries follow): files in DIR, the trust anchor file its only
# one, listening on each INTERFACE ("127.0.0.1@5353"), queries and SERVFAILs logged.
unbound_conf() {
  local dir=$1 anchor=$2 interface
  shift 2
  printf '# Private validating Unbound for the Depesche interop suite: its only\n'
  printf '# trust anchor is %s; the zones are asked from NSD.\nserver:\n' "$anchor"
  for interface in "$@"; do printf '  interface: %s\n' "$interface"; done
  cat <<EOF
  do-ip6: no
  do-daemonize: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  logfile: "$dir/unbound.log"
  use-syslog: no
  verbosity: 1
  log-queries: yes
  log-servfail: yes
  val-log-level: 2
  do-not-query-localhost: no
  module-config: "validator iterator"
  trust-anchor-file: "$anchor"
  # "test." is one of Unbound's built-in empty zones (RFC 6761).
  local-zone: "test." nodefault
remote-control:
  control-enable: no
EOF
}

unbound_start() {
  local zone=$1 extra
  shift
  {
    unbound_conf "$DNS_DIR" "$DNS_DIR/$zone.ds" "$UNBOUND_ADDR@53" "127.0.0.1@$UNBOUND_PORT"
    printf 'stub-zone:\n  name: "%s."\n  stub-addr: 127.0.0.1@%s\n' "$zone" "$NSD_PORT"
    # The delegation's NS (port 53) is not where NSD listens: a stub each.
    for extra in "$@"; do printf 'stub-zone:\n  name: "%s."\n  stub-addr: 127.0.0.1@%s\n' "$extra" "$NSD_PORT"; done
  } >"$DNS_DIR/unbound.conf"
  unbound-checkconf "$DNS_DIR/unbound.conf" >/dev/null || return 1
  unbound -d -c "$DNS_DIR/unbound.conf" >"$DNS_DIR/unbound.out" 2>&1 </dev/null &
  UNBOUND_PID=$!
  on_cleanup unbound_stop
  dns_wait "$UNBOUND_ADDR" 53 "$zone"
}

unbound_stop() {
  [ -n "$UNBOUND_PID" ] || return 0
  kill -TERM "$UNBOUND_PID" 2>/dev/null || true
  wait "$UNBOUND_PID" 2>/dev/null || true
  UNBOUND_PID=""
}

# validated NAME TYPE - Unbound answers NAME/TYPE with the AD bit (secure).
validated() {
  drill -D @"$UNBOUND_ADDR" "$2" "$1" 2>/dev/null | grep -Eq '^;; flags:.* ad[ ;]'
}

# answered_insecure NAME TYPE - Unbound answers NAME/TYPE, NOERROR, without the AD bit.
answered_insecure() {
  local out
  out=$(drill -D @"$UNBOUND_ADDR" "$2" "$1" 2>/dev/null)
  grep -q 'rcode: NOERROR' <<<"$out" && grep -q 'ANSWER: [1-9]' <<<"$out" &&
    ! grep -Eq '^;; flags:.* ad[ ;]' <<<"$out"
}

# unbound_rcode NAME TYPE - the rcode Unbound gives (NOERROR, SERVFAIL, ...).
unbound_rcode() {
  drill -D @"$UNBOUND_ADDR" "$2" "$1" 2>/dev/null | sed -n 's/.*rcode: \([A-Z]*\).*/\1/p' | head -n 1
}

# unbound_mark - remembers how far Unbound's query log goes, so that
# unbound_asked only sees queries made after it (not the scenario's own drill).
UNBOUND_MARK=0
unbound_mark() { UNBOUND_MARK=$(wc -l <"$DNS_DIR/unbound.log"); }

# unbound_asked NAME TYPE - a client asked Unbound for NAME/TYPE since unbound_mark.
unbound_asked() {
  local re="info: 127\.[0-9.]+ ${1//./\\.}\\. $2 IN\$"
  tail -n +"$((UNBOUND_MARK + 1))" "$DNS_DIR/unbound.log" | grep -Eq -- "$re"
}

# other_key_311 - the SHA-256 of the public key of a fresh EC key nobody
# serves: TLSA data that matches no server.
other_key_311() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
    openssl pkey -pubout -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}

# dane_scenario_prerequisites - skips (77) unless root with the tools.
dane_scenario_prerequisites() {
  [ "$(id -u)" -eq 0 ] || skip "needs root (a private Postfix instance, Unbound on port 53)"
  local tool
  for tool in postfix postqueue nsd unbound ldns-signzone ldns-keygen drill swaks; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing (interop/run-all installs it as root)"
  done
}

tlsa_311() {
  openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1
}
