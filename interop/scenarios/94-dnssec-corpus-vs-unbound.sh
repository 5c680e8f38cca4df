#!/usr/bin/env bash
# Issue 8's reference check: a corpus of deliberately broken (and a few good)
# child zones under the signed corpus.test, built with fresh keys on every
# run (lib/dnssec-corpus.sh), served by NSD and validated by Unbound from the
# parent's DS. For each case Depesche's verdict (`depesche probe --no-connect
# --json`, [dns] mode "validate", same trust anchor, asking Unbound with CD
# set so that Unbound passes bogus data through) must equal Unbound's.
#   Unbound bogus, Depesche secure or insecure  -> SECURITY BUG (forged data accepted)
#   Unbound secure, Depesche insecure           -> SECURITY BUG (downgrade: a signed
#                                                  domain's DANE/TLSA would be ignored)
#   any other difference                        -> availability bug (mail held that
#                                                  Unbound would let through, or the like)
# A verdict is the MX lookup's, weakened by the A/AAAA lookups of each MX
# host. Disagreements are FAILs, but for the two listed in KNOWN below:
# both hold mail Unbound would let through (never the other way), both come
# from dnsjava's validator, and both are written up with the reason.
# One more check: Unbound gives every case the verdict it was built for, or
# the corpus does not test what it says.
. "$(dirname "$0")/../lib/common.sh"
. "$LIB/dnssec.sh"
. "$LIB/dnssec-corpus.sh"

for tool in nsd unbound ldns-keygen ldns-signzone ldns-key2ds drill dnssec-signzone dnssec-keygen; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing (interop/run-all installs it as root)"
done

# Known availability differences: case -> the verdict Depesche gives instead, and why. Only a
# stricter verdict (bogus or indeterminate) may be listed; a security bug is never "known".
declare -A KNOWN=(
  # The DNSKEY RRset holds a key of an algorithm nobody implements beside the P-256 key a DS
  # names. dnsjava gives up on the whole key set (its key-size check cannot read the unknown key)
  # and answers without AD; Depesche finds a usable signed DS and no proof of unsigned space, so
  # it holds the mail (indeterminate). Unbound validates with the P-256 key (RFC 6840 5.2).
  [alg-unassigned-and-p256]="indeterminate|dnsjava drops a key set holding an unknown-algorithm key (docs/dnsjava-unchecked-denial.md)"
  # A DS for an Ed25519 key that signs nothing, beside a working P-256 one: a zone that breaks
  # RFC 4035 2.2. dnsjava insists that every DS algorithm sign the key set (its algorithm
  # downgrade protection, on by default); Unbound accepts one valid path (RFC 6840 5.11).
  [algs-ed25519-signs-nothing]="bogus|dnsjava requires every DS algorithm to sign the DNSKEY RRset (RFC 6840 5.11 asks for one valid path)"
)

started=$(date +%s)
RESULTS=()
depesche_setup alice@example.test
corpus_init
corpus_build || { sed 's/^/  | /' "$CORPUS_DIR/sign.out" | tail -n 20; abort "could not build the corpus"; }
corpus_start
say "NSD 127.0.0.1:$CORPUS_NSD_PORT, Unbound 127.0.0.1:$CORPUS_UNBOUND_PORT ($(unbound -V | head -n 1)), ${#CORPUS_CASES[@]} cases, built in $(( $(date +%s) - started ))s"

toml_set servers "[\"127.0.0.1:$CORPUS_UNBOUND_PORT\"]" dns
toml_set trust_anchor "\"$CORPUS_DIR/$CORPUS_PARENT.ds\"" dns
toml_set mode '"validate"' dns
# One JVM per probe, ~40 of them: start them lean (C1 only, serial GC) and from a class data
# archive written by the first probe below, as the scenario's runtime is mostly JVM start.
export JAVA_TOOL_OPTIONS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$WORK/depesche.jsa"
depesche_cli check-config >"$WORK/check-config.out" 2>&1 ||
  { sed 's/^/  | /' "$WORK/check-config.out"; abort "depesche check-config refuses the [dns] settings"; }

# Depesche first, each probe its own process (nothing cached between cases), two at a time.
mkdir -p "$WORK/probe"
probe_case() {
  local t0=$EPOCHREALTIME
  depesche_cli probe "$2" --no-connect --json >"$WORK/probe/$1.json" 2>"$WORK/probe/$1.err"
  echo "$t0 $EPOCHREALTIME" | awk '{ printf "%.1f\n", $2 - $1 }' >"$WORK/probe/$1.secs"
}
# The first alone: its JVM writes the class data archive the others start from.
IFS='|' read -r name domain _ _ <<<"${CORPUS_CASES[0]}"
probe_case "$name" "$domain"
# (Only the probes' own ids are waited for: NSD and Unbound are background jobs too.)
pids=()
for entry in "${CORPUS_CASES[@]:1}"; do
  IFS='|' read -r name domain _ _ <<<"$entry"
  probe_case "$name" "$domain" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || true; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
probed=$(date +%s)

printf '  %-31s %-9s %-38s %s\n' case built unbound depesche
mismatched_corpus=()
for entry in "${CORPUS_CASES[@]}"; do
  IFS='|' read -r name domain expected desc <<<"$entry"
  read -r ub ub_detail <<<"$(unbound_verdict "$domain")"
  read -r dp dp_detail <<<"$(depesche_verdict "$WORK/probe/$name.json")"
  printf '  %-31s %-9s %-38s %s\n' "$name" "$expected" "$ub ($ub_detail)" "$dp ($dp_detail)"
  [ "$ub" = "$expected" ] || mismatched_corpus+=("$name: built $expected, unbound $ub")
  RESULTS+=("$name|$domain|$ub|$dp|$desc")
done
for r in "${RESULTS[@]}"; do
  IFS='|' read -r name domain ub dp desc <<<"$r"
  if [ "$ub" = "$dp" ]; then
    pass "case $name: unbound=$ub depesche=$dp ($desc)"
  elif [ -n "${KNOWN[$name]:-}" ] && [ "${KNOWN[$name]%%|*}" = "$dp" ] && [ "$ub" != bogus ]; then
    pass "case $name: unbound=$ub depesche=$dp -- known availability difference: ${KNOWN[$name]#*|} ($desc)"
  else
    case "$ub/$dp" in
      bogus/secure|bogus/insecure) label="SECURITY BUG: Depesche accepts what Unbound rejects as bogus" ;;
      secure/insecure) label="SECURITY BUG (downgrade): a signed domain treated as unsigned" ;;
      *) label="availability bug" ;;
    esac
    fail "case $name: unbound=$ub depesche=$dp -- $label ($desc)"
    reason=$(python3 -c 'import json,sys
r=json.load(open(sys.argv[1])); print((r.get("route") or {}).get("problem") or r.get("summary") or "")' \
      "$WORK/probe/$name.json" 2>/dev/null || head -c 300 "$WORK/probe/$name.err")
    [ -z "$reason" ] || echo "       depesche: $reason"
    grep -F "$domain" "$CORPUS_DIR/unbound.log" | grep -m 1 -E 'validation failure|reason' | sed 's/^/       unbound: /' || true
  fi
done
check "corpus: Unbound gives every case the verdict it was built for${mismatched_corpus[*]:+ (not: ${mismatched_corpus[*]})}" \
  test ${#mismatched_corpus[@]} -eq 0
say "probes: $(cat "$WORK"/probe/*.secs | sort -n | awk '{ a[NR] = $1; s += $1 } END { printf "%d, %.1fs each on average, slowest %.1fs", NR, s / NR, a[NR] }'); done $((probed - started))s after the start, whole scenario $(( $(date +%s) - started ))s"
finish
