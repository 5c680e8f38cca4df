# Sourced by 94-dnssec-corpus-vs-unbound after lib/dnssec.sh (nsd_conf,
# unbound_conf, dns_wait): a corpus of deliberately broken (and some good)
# child zones under one signed parent, built at run time with fresh keys,
# served by one NSD, resolved and validated by one Unbound whose only trust
# anchor is the parent's DS (issue 8). Unbound is the reference; the
# scenario compares Depesche's verdicts with Unbound's.
#
#   corpus_init                  directories, ports; CORPUS_DIR, CORPUS_NSD_PORT, CORPUS_UNBOUND_PORT
#   corpus_build                 every case below, then the parent (signed last: it holds the DS records)
#   corpus_start                 NSD and Unbound, or the scenario stops
#   corpus_case NAME DOMAIN EXPECTED DESCRIPTION
#                                registers a case: DOMAIN is what is probed, EXPECTED what the case
#                                was built to be (secure, insecure, bogus) by the RFCs
#   unbound_verdict DOMAIN       prints "VERDICT mx=.. addr=.." as Unbound sees DOMAIN's mail route
#   depesche_verdict JSON-FILE   the same from the output of `depesche probe --no-connect --json`
#   verdict_and A B              the weaker of two verdicts (secure < insecure < indeterminate < bogus)
#
# The parent is corpus.test, one zone per case below it (CASE.corpus.test).
# Each child has an MX record and the MX host's A record, so that `depesche
# probe --no-connect` has a route to look up: the verdict of a case is the
# MX lookup's, weakened by the A and AAAA lookups of each MX host (as
# delivery needs them all, and as DnssecStatus.and combines them).
#
# Zones are signed with ldns-signzone (ldnsutils). The opt-out cases need BIND's
# dnssec-signzone (bind9-utils): ldns-signzone -p sets the opt-out flag but
# still gives the unsigned delegation an NSEC3 record of its own, so the
# proof would be a plain NSEC3 match; `dnssec-signzone -A` leaves it out of
# the chain, so only a covering opt-out NSEC3 proves it insecure (RFC 5155 6,
# 8.9).
#
# How Unbound reaches the children: NSD serves the parent and every child on
# one free port of 127.0.0.1, and all NS records name ns.corpus.test
# (127.0.0.1). A delegation's NS on port 53 is not where NSD listens, so
# Unbound gets a stub-zone for the parent and one for each child, all
# pointing at NSD's port. Unbound still walks the chain of trust itself: it
# asks the parent for each child's DS (NSD answers DS queries from the
# parent side of the cut) and validates everything from the parent's DS.
# Nothing listens on port 53, so the scenario needs no root.

CORPUS_PARENT=corpus.test
CORPUS_DIR="" CORPUS_NSD_PORT="" CORPUS_UNBOUND_PORT="" CORPUS_NSD_PID="" CORPUS_UNBOUND_PID=""
CORPUS_CASES=()   # "NAME|DOMAIN|EXPECTED|DESCRIPTION"
CORPUS_ZONES=()   # "ZONE|FILE" served by NSD, each with a stub in Unbound
CORPUS_DELEGATIONS="" # file: NS and DS lines the parent gets

corpus_init() {
  CORPUS_DIR="$WORK/corpus"
  mkdir -p "$CORPUS_DIR"
  CORPUS_DELEGATIONS="$CORPUS_DIR/parent.delegations"
  : >"$CORPUS_DELEGATIONS"
  CORPUS_NSD_PORT=$(free_port)
  CORPUS_UNBOUND_PORT=$(free_port)
  while [ "$CORPUS_UNBOUND_PORT" = "$CORPUS_NSD_PORT" ]; do CORPUS_UNBOUND_PORT=$(free_port); done
}

corpus_case() { CORPUS_CASES+=("$1|$2|$3|$4"); }

# --- Building blocks -------------------------------------------------------

# c_head ZONE - SOA and NS (ns.corpus.test, served by the parent).
c_head() {
  printf '$ORIGIN %s.\n$TTL 300\n' "$1"
  printf '@   SOA   ns.%s. hostmaster.%s. 1 3600 600 86400 300\n' "$CORPUS_PARENT" "$1"
  printf '@   NS    ns.%s.\n' "$CORPUS_PARENT"
}

# c_child ZONE - $CORPUS_DIR/ZONE.zone: SOA, NS, MX to mx.ZONE and its A.
c_child() {
  { c_head "$1"; printf '@   MX    10 mx.%s.\nmx  A     127.0.0.1\n' "$1"; } >"$CORPUS_DIR/$1.zone"
}

# c_keys ZONE [ALGORITHM [BITS]] - a fresh KSK and ZSK: sets KSK and ZSK (key base names in $CORPUS_DIR).
c_keys() {
  local alg=${2:-ECDSAP256SHA256} bits=()
  [ -n "${3:-}" ] && bits=(-b "$3")
  KSK=$(cd "$CORPUS_DIR" && ldns-keygen -a "$alg" "${bits[@]}" -k "$1") || return 1
  ZSK=$(cd "$CORPUS_DIR" && ldns-keygen -a "$alg" "${bits[@]}" "$1") || return 1
}

# c_sign ZONE "KEY..." [LDNS-SIGNZONE OPTION...] - ZONE.zone -> ZONE.signed, served.
c_sign() {
  local zone=$1 keys=$2
  shift 2
  # shellcheck disable=SC2086 # the key list is meant to split
  (cd "$CORPUS_DIR" && ldns-signzone "$@" -f "$zone.signed" "$zone.zone" $keys) \
    >>"$CORPUS_DIR/sign.out" 2>&1 || { echo "ldns-signzone failed for $zone" >&2; return 1; }
  c_serve "$zone" "$zone.signed"
}

c_serve() { CORPUS_ZONES+=("$1|$2"); }

# c_ds KEY [DIGEST] - the DS record of KEY.key; DIGEST is ldns-key2ds's -1, -2 or -4 (SHA-256 by default).
c_ds() { (cd "$CORPUS_DIR" && ldns-key2ds -n -f "${2:--2}" "$1.key"); }

# c_delegate ZONE [DS-LINE...] - the parent gets NS records for ZONE and these DS records.
c_delegate() {
  local zone=$1 ds
  shift
  printf '%s.  NS  ns.%s.\n' "$zone" "$CORPUS_PARENT" >>"$CORPUS_DELEGATIONS"
  for ds in "$@"; do printf '%s\n' "$ds" >>"$CORPUS_DELEGATIONS"; done
}

# c_drop FILE OWNER TYPE - deletes OWNER's TYPE record (an RRSIG: "RRSIG MX") from a signed file.
c_drop() {
  local file="$CORPUS_DIR/$1" owner=$2 type=$3
  awk -v o="$owner." -v t="$type" '
    { rr = ($4 == "RRSIG") ? "RRSIG " $5 : $4 }
    !(($1 == o || o == "*.") && rr == t)' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
}

# c_corrupt FILE OWNER - overwrites the start of the signature of OWNER's RRSIG MX.
c_corrupt() {
  local file="$CORPUS_DIR/$1"
  awk -v o="$2." '$1 == o && $4 == "RRSIG" && $5 == "MX" { $NF = "AAAAAAAAAAAA" substr($NF, 13); n++ }
    { print } END { exit n == 1 ? 0 : 1 }' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
}

# c_fake_dnskey ZONE ALGORITHM - prints a DNSKEY (flags 257) of an algorithm no one implements,
# its key random bytes; for 253 (PRIVATEDNS, RFC 4034 A.1.1) prefixed by the algorithm's domain name.
c_fake_dnskey() {
  local key
  if [ "$2" = 253 ]; then
    key=$( { printf '\007private\006corpus\004test\000'; head -c 64 /dev/urandom; } | base64 -w0)
  else
    key=$(head -c 64 /dev/urandom | base64 -w0)
  fi
  printf '%s. 3600 IN DNSKEY 257 3 %s %s\n' "$1" "$2" "$key"
}

# --- The cases -------------------------------------------------------------

# c_ok COMMAND... - runs a building step; says which one failed.
c_ok() { "$@" || { echo "corpus: building failed at: $*" >&2; return 1; }; }

# A signed child with a KSK and a ZSK of ALGORITHM and the KSK's DS (SHA-256) at the parent.
c_signed_child() {  # ZONE [ALGORITHM [BITS]]
  c_child "$1"
  c_keys "$@" || return 1
  c_sign "$1" "$KSK $ZSK" || return 1
  c_delegate "$1" "$(c_ds "$KSK")"
}

corpus_build() {
  local p=$CORPUS_PARENT z f k1 z1

  z=good.$p; c_ok c_signed_child "$z" || return 1
  corpus_case good "$z" secure "signed child, ECDSA P-256 KSK + ZSK, DS SHA-256 (control)"

  z=unsigned.$p; c_child "$z"; c_serve "$z" "$z.zone"; c_delegate "$z"
  corpus_case unsigned "$z" insecure "unsigned child, no DS: the parent's NSEC proves the DS absent (control)"

  z=expired.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_ok c_sign "$z" "$KSK $ZSK" -i "$(date -u -d '-20 days' +%Y%m%d%H%M%S)" \
    -e "$(date -u -d '-10 days' +%Y%m%d%H%M%S)" || return 1
  c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case expired "$z" bogus "every RRSIG expired 10 days ago (beyond any clock skew allowance)"

  z=not-yet-valid.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_ok c_sign "$z" "$KSK $ZSK" -i "$(date -u -d '+10 days' +%Y%m%d%H%M%S)" \
    -e "$(date -u -d '+40 days' +%Y%m%d%H%M%S)" || return 1
  c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case not-yet-valid "$z" bogus "every RRSIG's inception is 10 days from now"

  z=ds-unsigned-child.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_serve "$z" "$z.zone"; c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case ds-unsigned-child "$z" bogus "DS at the parent, the child served unsigned (no DNSKEY, no RRSIG)"

  z=ds-other-key.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_ok c_sign "$z" "$KSK $ZSK" || return 1
  c_ok c_keys "$z" || return 1   # a second KSK, never published
  c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case ds-other-key "$z" bogus "child signed; the only DS is of another key (not in the child's DNSKEY set)"

  z=mx-rrsig-corrupt.$p; c_ok c_signed_child "$z" || return 1
  c_ok c_corrupt "$z.signed" "$z" || return 1
  corpus_case mx-rrsig-corrupt "$z" bogus "the RRSIG of the MX RRset has a damaged signature"

  z=mx-rrsig-missing.$p; c_ok c_signed_child "$z" || return 1
  c_drop "$z.signed" "$z" "RRSIG MX"
  corpus_case mx-rrsig-missing "$z" bogus "the RRSIG of the MX RRset is removed (NSEC still lists RRSIG)"

  # The KSK's DNSKEY is in the zone (so in the DNSKEY RRset) but only the ZSK signs: ldns-signzone
  # signs the DNSKEY RRset with the ZSK when it is given no KSK.
  z=dnskey-not-by-ds-key.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  cat "$CORPUS_DIR/$KSK.key" >>"$CORPUS_DIR/$z.zone"
  c_ok c_sign "$z" "$ZSK" || return 1
  c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case dnskey-not-by-ds-key "$z" bogus "DS names the KSK, which is in the DNSKEY RRset, but only the ZSK signs that RRset"

  z=nsec-nxdomain.$p; c_ok c_signed_child "$z" || return 1
  corpus_case nsec-nxdomain "nx.$z" secure "MX of a name that does not exist: NXDOMAIN with signed NSEC proofs"

  z=nsec-nxdomain-unsigned.$p; c_ok c_signed_child "$z" || return 1
  c_drop "$z.signed" "*" "RRSIG NSEC"
  corpus_case nsec-nxdomain-unsigned "nx.$z" bogus "the same NXDOMAIN, the NSEC records' RRSIGs removed"

  z=nsec-nodata.$p
  { c_head "$z"; printf 'host  A  127.0.0.1\n'; } >"$CORPUS_DIR/$z.zone"
  c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case nsec-nodata "host.$z" secure "a name with an A and no MX: NODATA with a signed NSEC, then the implicit MX's A"

  z=nsec-nodata-unsigned.$p
  { c_head "$z"; printf 'host  A  127.0.0.1\n'; } >"$CORPUS_DIR/$z.zone"
  c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  c_drop "$z.signed" "*" "RRSIG NSEC"
  corpus_case nsec-nodata-unsigned "host.$z" bogus "the same NODATA, the NSEC records' RRSIGs removed"

  z=nsec3-nxdomain.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_ok c_sign "$z" "$KSK $ZSK" -n -t 0 || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case nsec3-nxdomain "nx.$z" secure "NXDOMAIN proven by signed NSEC3 (SHA-1, 0 iterations, no salt)"

  z=nsec3-nxdomain-unsigned.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_ok c_sign "$z" "$KSK $ZSK" -n -t 0 || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  c_drop "$z.signed" "*" "RRSIG NSEC3"
  corpus_case nsec3-nxdomain-unsigned "nx.$z" bogus "the same NSEC3 NXDOMAIN, the NSEC3 records' RRSIGs removed"

  z=nsec3-nodata.$p
  { c_head "$z"; printf 'host  A  127.0.0.1\n'; } >"$CORPUS_DIR/$z.zone"
  c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" -n -t 0 || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case nsec3-nodata "host.$z" secure "NODATA for MX proven by a matching signed NSEC3, then the implicit MX's A"

  # RFC 9276 3.2: validators may treat NSEC3 with many iterations as insecure; Unbound and Depesche
  # both stop at 150 (val-nsec3-keysize-iterations, DnsLimits.maxNsec3Iterations).
  z=nsec3-iterations-200.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_ok c_sign "$z" "$KSK $ZSK" -n -t 200 -s cafe || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case nsec3-iterations-200 "nx.$z" insecure "NXDOMAIN proven only by NSEC3 with 200 iterations (RFC 9276 3.2)"

  # Opt-out: a signed NSEC3 zone (BIND's dnssec-signzone -A, see above) delegating an unsigned
  # grandchild without a DS; the grandchild's name has no NSEC3, a covering opt-out one proves
  # that there may be no DS.
  z=nsec3-optout.$p
  { c_head "$z"; printf '@  MX  10 mx.%s.\nmx  A  127.0.0.1\nchild  NS  ns.%s.\n' "$z" "$p"; } >"$CORPUS_DIR/$z.zone"
  c_ok c_bind_sign_optout "$z" || return 1
  c_child "child.$z"; c_serve "child.$z" "child.$z.zone"
  corpus_case nsec3-optout "child.$z" insecure "unsigned child under an NSEC3 opt-out parent (dnssec-signzone -A), no DS"

  z=nsec3-optout-unsigned.$p
  { c_head "$z"; printf '@  MX  10 mx.%s.\nmx  A  127.0.0.1\nchild  NS  ns.%s.\n' "$z" "$p"; } >"$CORPUS_DIR/$z.zone"
  c_ok c_bind_sign_optout "$z" || return 1
  c_drop "$z.signed" "*" "RRSIG NSEC3"
  c_child "child.$z"; c_serve "child.$z" "child.$z.zone"
  corpus_case nsec3-optout-unsigned "child.$z" bogus "the same opt-out delegation, the NSEC3 records' RRSIGs removed"

  z=wildcard.$p
  { c_head "$z"; printf '*   MX  10 mx.%s.\nmx  A   127.0.0.1\n' "$z"; } >"$CORPUS_DIR/$z.zone"
  c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  corpus_case wildcard "any.$z" secure "MX from a signed wildcard (*.$z), the NSEC proving no closer name"

  z=wildcard-no-nsec.$p
  { c_head "$z"; printf '*   MX  10 mx.%s.\nmx  A   127.0.0.1\n' "$z"; } >"$CORPUS_DIR/$z.zone"
  c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  c_drop "$z.signed" "*" NSEC; c_drop "$z.signed" "*" "RRSIG NSEC"
  corpus_case wildcard-no-nsec "any.$z" bogus "the same wildcard expansion, every NSEC removed: nothing proves no closer name"

  for f in "secure mx.good" "insecure mx.unsigned" "bogus mx.expired"; do
    z=cname-${f%% *}.$p
    { c_head "$z"; printf '@    MX     10 mx.%s.\nmx   CNAME  mx2\nmx2  CNAME  %s.%s.\n' "$z" "${f#* }" "$p"; } \
      >"$CORPUS_DIR/$z.zone"
    c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1; c_delegate "$z" "$(c_ds "$KSK")"
  done
  corpus_case cname-secure "cname-secure.$p" secure "MX host is a CNAME chain (two links, signed) to mx.good.$p"
  corpus_case cname-insecure "cname-insecure.$p" insecure "MX host is a signed CNAME chain into the unsigned child (mx.unsigned.$p)"
  corpus_case cname-bogus "cname-bogus.$p" bogus "MX host is a signed CNAME chain into the expired child (mx.expired.$p)"

  # RFC 4035 5.2: a DS RRset with no algorithm the validator implements makes the child insecure.
  z=alg-unassigned.$p; c_ok c_fake_child "$z" 100 only || return 1
  corpus_case alg-unassigned "$z" insecure "the only DS is for a DNSKEY of algorithm 100 (unassigned) in the child"
  z=alg-private.$p; c_ok c_fake_child "$z" 253 only || return 1
  corpus_case alg-private "$z" insecure "the only DS is for a DNSKEY of algorithm 253 (PRIVATEDNS) in the child"
  z=alg-unassigned-and-p256.$p; c_ok c_fake_child "$z" 100 also || return 1
  corpus_case alg-unassigned-and-p256 "$z" secure "DS for an algorithm-100 DNSKEY and for the ECDSA P-256 KSK"
  z=alg-unassigned-unsigned-child.$p; c_ok c_fake_child "$z" 100 unsigned || return 1
  corpus_case alg-unassigned-unsigned-child "$z" insecure "the only DS is for an algorithm-100 DNSKEY; the child has that DNSKEY and no RRSIG (as signed by an algorithm no one here implements)"

  # RFC 4509 3, RFC 6840 5.2: a DS of an unknown digest type is ignored; with none left, insecure.
  z=digest-unknown.$p; c_child "$z"; c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1
  c_delegate "$z" "$(c_ds "$KSK" | awk -v d="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" '{ $7 = 200; $8 = d; print }')"
  corpus_case digest-unknown "$z" insecure "the only DS has digest type 200 (unassigned), the child signed by that KSK: RFC 6840 5.2"

  z=digest-unknown-unsigned-child.$p; c_child "$z"; c_ok c_keys "$z" || return 1
  c_serve "$z" "$z.zone"
  c_delegate "$z" "$(c_ds "$KSK" | awk -v d="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" '{ $7 = 200; $8 = d; print }')"
  corpus_case digest-unknown-unsigned-child "$z" insecure "the only DS has digest type 200, the child unsigned (no DNSKEY): RFC 6840 5.2, issue 8's known disagreement"

  z=digest-unknown-and-sha256.$p; c_child "$z"; c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1
  c_delegate "$z" "$(c_ds "$KSK" | awk -v d="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" '{ $7 = 200; $8 = d; print }')" \
    "$(c_ds "$KSK")"
  corpus_case digest-unknown-and-sha256 "$z" secure "DS with digest type 200 and DS SHA-256 for the same KSK"

  z=digest-sha1.$p; c_child "$z"; c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1
  c_delegate "$z" "$(c_ds "$KSK" -1)"
  corpus_case digest-sha1 "$z" secure "the only DS has digest type 1 (SHA-1; RFC 8624 3.3: validators must still accept it)"

  z=digest-sha256-sha384.$p; c_child "$z"; c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1
  c_delegate "$z" "$(c_ds "$KSK" -2)" "$(c_ds "$KSK" -4)"
  corpus_case digest-sha256-sha384 "$z" secure "two DS for the KSK: SHA-256 and SHA-384"

  z=digest-sha384.$p; c_child "$z"; c_ok c_keys "$z" || return 1; c_ok c_sign "$z" "$KSK $ZSK" || return 1
  c_delegate "$z" "$(c_ds "$KSK" -4)"
  corpus_case digest-sha384 "$z" secure "the only DS has digest type 4 (SHA-384)"

  for f in "rsasha256 RSASHA256 2048" "rsasha1 RSASHA1 2048" "ecdsap384 ECDSAP384SHA384" "ed25519 ED25519" "ed448 ED448"; do
    set -- $f
    z=alg-$1.$p; c_ok c_signed_child "$z" "$2" "${3:-}" || return 1
    corpus_case "alg-$1" "$z" secure "signed with $2 only, DS SHA-256"
  done

  # Two algorithms: every RRset signed by both, a DS for each KSK (RFC 4035 2.2, RFC 6840 5.11).
  z=algs-p256-ed25519.$p; c_child "$z"; c_ok c_keys "$z" || return 1; k1=$KSK z1=$ZSK
  c_ok c_keys "$z" ED25519 || return 1
  c_ok c_sign "$z" "$k1 $z1 $KSK $ZSK" || return 1
  c_delegate "$z" "$(c_ds "$k1")" "$(c_ds "$KSK")"
  corpus_case algs-p256-ed25519 "$z" secure "P-256 and Ed25519 keys, every RRset signed by both, a DS for each KSK"

  # Only P-256 signs; the Ed25519 KSK is in the DNSKEY RRset and has a DS. RFC 6840 5.11: a validator
  # must accept any one algorithm's chain (Unbound: harden-algo-downgrade no, its default).
  z=algs-ed25519-signs-nothing.$p; c_child "$z"; c_ok c_keys "$z" || return 1; k1=$KSK z1=$ZSK
  c_ok c_keys "$z" ED25519 || return 1
  cat "$CORPUS_DIR/$KSK.key" >>"$CORPUS_DIR/$z.zone"
  c_ok c_sign "$z" "$k1 $z1" || return 1
  c_delegate "$z" "$(c_ds "$k1")" "$(c_ds "$KSK")"
  corpus_case algs-ed25519-signs-nothing "$z" secure "DS for a P-256 and an Ed25519 KSK, both in the DNSKEY RRset; only P-256 signs"

  corpus_sign_parent
}

# c_fake_child ZONE ALGORITHM only|also|unsigned - a child whose DNSKEY RRset holds a DNSKEY of
# ALGORITHM (random key bytes): signed with P-256 and the parent's DS names that key only (only) or
# it and the P-256 KSK (also); or not signed at all, that DNSKEY alone, its DS at the parent (unsigned).
c_fake_child() {
  local z=$1 fake="$CORPUS_DIR/K$1.fake.key"
  c_child "$z"; c_keys "$z" || return 1
  c_fake_dnskey "$z" "$2" >"$fake"
  cat "$fake" >>"$CORPUS_DIR/$z.zone"
  case $3 in
    unsigned) c_serve "$z" "$z.zone"; c_delegate "$z" "$(cd "$CORPUS_DIR" && ldns-key2ds -n -2 "$fake")" ;;
    only) c_sign "$z" "$KSK $ZSK" || return 1; c_delegate "$z" "$(cd "$CORPUS_DIR" && ldns-key2ds -n -2 "$fake")" ;;
    *) c_sign "$z" "$KSK $ZSK" || return 1
       c_delegate "$z" "$(cd "$CORPUS_DIR" && ldns-key2ds -n -2 "$fake")" "$(c_ds "$KSK")" ;;
  esac
}

# c_bind_sign_optout ZONE - BIND: NSEC3 (no salt, 0 iterations) with opt-out, insecure delegations
# left out of the chain (-A); a DS of the KSK at the parent.
c_bind_sign_optout() {
  local z=$1 k zk
  ( cd "$CORPUS_DIR" &&
    k=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK "$z") &&
    zk=$(dnssec-keygen -q -a ECDSAP256SHA256 "$z") &&
    cat "$k.key" "$zk.key" >>"$z.zone" &&
    dnssec-signzone -q -O full -3 - -H 0 -A -o "$z" -f "$z.signed" "$z.zone" "$k" "$zk" >/dev/null &&
    dnssec-dsfromkey -2 "$k.key" >"$z.ds" ) >>"$CORPUS_DIR/sign.out" 2>&1 ||
    { echo "dnssec-signzone failed for $z" >&2; return 1; }
  c_serve "$z" "$z.signed"
  c_delegate "$z" "$(cat "$CORPUS_DIR/$z.ds")"
}

# The parent: ns.corpus.test, every delegation and DS, signed with P-256 and NSEC; its KSK's DS is
# the only trust anchor of Unbound and of Depesche ($CORPUS_DIR/corpus.test.ds).
corpus_sign_parent() {
  local p=$CORPUS_PARENT
  { c_head "$p"; printf 'ns  A  127.0.0.1\n'; cat "$CORPUS_DELEGATIONS"; } >"$CORPUS_DIR/$p.zone"
  c_keys "$p" || return 1
  c_sign "$p" "$KSK $ZSK" || return 1
  c_ds "$KSK" >"$CORPUS_DIR/$p.ds"
}

# --- Serving ---------------------------------------------------------------

corpus_start() {
  local entry d=$CORPUS_DIR
  {
    nsd_conf "$d" "$CORPUS_NSD_PORT"
    for entry in "${CORPUS_ZONES[@]}"; do printf 'zone:\n  name: "%s"\n  zonefile: "%s"\n' "${entry%%|*}" "${entry#*|}"; done
  } >"$d/nsd.conf"
  nsd-checkconf "$d/nsd.conf" || abort "nsd-checkconf refuses $d/nsd.conf"
  nsd -d -c "$d/nsd.conf" >"$d/nsd.out" 2>&1 </dev/null &
  CORPUS_NSD_PID=$!
  on_cleanup corpus_stop
  # Every zone must have loaded: a zone NSD refused would turn its case into a SERVFAIL for
  # reasons that have nothing to do with DNSSEC.
  for entry in "$CORPUS_PARENT|" "${CORPUS_ZONES[@]}"; do
    dns_wait 127.0.0.1 "$CORPUS_NSD_PORT" "${entry%%|*}" ||
      abort "NSD does not serve ${entry%%|*} on 127.0.0.1:$CORPUS_NSD_PORT (see $d/nsd.log)"
  done
  {
    unbound_conf "$d" "$d/$CORPUS_PARENT.ds" "127.0.0.1@$CORPUS_UNBOUND_PORT"
    # Each case is asked once: no prefetching, no answers synthesised from another case's NSEC.
    printf 'server:\n  aggressive-nsec: no\n  prefetch: no\n'
    for entry in "${CORPUS_ZONES[@]}"; do
      printf 'stub-zone:\n  name: "%s."\n  stub-addr: 127.0.0.1@%s\n' "${entry%%|*}" "$CORPUS_NSD_PORT"
    done
  } >"$d/unbound.conf"
  unbound-checkconf "$d/unbound.conf" >/dev/null || abort "unbound-checkconf refuses $d/unbound.conf"
  unbound -d -c "$d/unbound.conf" >"$d/unbound.out" 2>&1 </dev/null &
  CORPUS_UNBOUND_PID=$!
  dns_wait 127.0.0.1 "$CORPUS_UNBOUND_PORT" "$CORPUS_PARENT" ||
    abort "Unbound did not answer on 127.0.0.1:$CORPUS_UNBOUND_PORT (see $d/unbound.log)"
}

corpus_stop() {
  local pid
  for pid in "$CORPUS_UNBOUND_PID" "$CORPUS_NSD_PID"; do
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  CORPUS_UNBOUND_PID="" CORPUS_NSD_PID=""
}

# --- Verdicts --------------------------------------------------------------

verdict_rank() {
  case $1 in secure) echo 0 ;; insecure) echo 1 ;; indeterminate) echo 2 ;; *) echo 3 ;; esac
}

verdict_and() {
  if [ "$(verdict_rank "$1")" -ge "$(verdict_rank "$2")" ]; then echo "$1"; else echo "$2"; fi
}

# ub_query NAME TYPE - Unbound's answer (drill, DO set, CD clear) into $CORPUS_DIR/ub/NAME.TYPE;
# prints its verdict: SERVFAIL bogus, AD secure, NOERROR/NXDOMAIN without AD insecure, no answer
# indeterminate.
ub_query() {
  local out="$CORPUS_DIR/ub/$1.$2"
  mkdir -p "$CORPUS_DIR/ub"
  drill -D -p "$CORPUS_UNBOUND_PORT" @127.0.0.1 "$2" "$1" >"$out" 2>&1
  local rcode
  rcode=$(sed -n 's/.*rcode: \([A-Z]*\).*/\1/p' "$out" | head -n 1)
  case $rcode in
    SERVFAIL) echo bogus ;;
    NOERROR|NXDOMAIN)
      if grep -Eq '^;; flags:.* ad[ ;]' "$out"; then echo secure; else echo insecure; fi ;;
    *) echo indeterminate ;;
  esac
}

# unbound_verdict DOMAIN - "VERDICT mx=.. addr=..": the MX lookup, then A and AAAA of every MX
# host (the domain itself when there is no MX RRset: RFC 5321 5.1's implicit MX; none for NXDOMAIN).
unbound_verdict() {
  local domain=$1 mx addr=secure host v hosts
  mx=$(ub_query "$domain" MX)
  if [ "$mx" = bogus ] || [ "$mx" = indeterminate ]; then echo "$mx mx=$mx addr=-"; return; fi
  if grep -q 'rcode: NXDOMAIN' "$CORPUS_DIR/ub/$domain.MX"; then echo "$mx mx=$mx addr=-"; return; fi
  hosts=$(awk '/ANSWER SECTION/ { a = 1; next } /^;;/ { a = 0 } a && $4 == "MX" { print $6 }' \
    "$CORPUS_DIR/ub/$domain.MX" | sed 's/\.$//')
  [ -n "$hosts" ] || hosts=$domain
  for host in $hosts; do
    for t in A AAAA; do
      v=$(ub_query "$host" "$t")
      addr=$(verdict_and "$addr" "$v")
    done
  done
  echo "$(verdict_and "$mx" "$addr") mx=$mx addr=$addr"
}

# depesche_verdict JSON-FILE - the same from `depesche probe --no-connect --json`: route.dnssec
# (the MX lookup), then every mx[].addressDnssec (A and AAAA of the host).
depesche_verdict() {
  python3 - "$1" <<'PY'
import json, sys
rank = {"secure": 0, "insecure": 1, "indeterminate": 2, "bogus": 3}
def weaker(a, b):
    return a if rank.get(a, 3) >= rank.get(b, 3) else b
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print("error mx=unparsable addr=-"); sys.exit(0)
route = r.get("route") or {}
mx = route.get("dnssec") or "none"
addr = None
for h in r.get("mx") or []:
    a = h.get("addressDnssec") or "none"
    addr = a if addr is None else weaker(addr, a)
if mx in ("bogus", "indeterminate") or addr is None:
    print(f"{mx} mx={mx} addr=-")
else:
    print(f"{weaker(mx, addr)} mx={mx} addr={addr}")
PY
}
