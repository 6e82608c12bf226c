#!/bin/bash
# probe_bench.sh: overhead of the eBPF probe on a loopback connection load
# and on a bulk transfer with small writes, as ratios of interleaved runs:
#   bare, with `visnet --headless`, bare, with `visnet --json >/dev/null`
# and bulk bare vs bulk with `visnet --headless`. Prints figures; never a
# pass/fail verdict. Needs root.
#
#   probe_bench.sh [ROUNDS] [SECONDS]
# env: BENCH (bench_conn_load), HEADLESS_CMD and JSON_CMD (default
#   "$VISNET --headless" and "$VISNET --json").
set -u
ROUNDS=${1:-5}
SECS=${2:-5}
BUILD=${VISNET_BUILD:-$(dirname "$0")/../../build}
BENCH=${BENCH:-$BUILD/tests/bench_conn_load}
VISNET=${VISNET:-$BUILD/src/visnet}
HEADLESS_CMD=${HEADLESS_CMD:-$VISNET --headless}
JSON_CMD=${JSON_CMD:-$VISNET --json}
TMP=$(mktemp -d /tmp/vn-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
[ "$(id -u)" = 0 ] || { echo "probe_bench.sh: needs root"; exit 1; }
[ -x "$BENCH" ] || { echo "probe_bench.sh: $BENCH not built"; exit 1; }

rate() { sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$1"; }
field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" "$1"; }

# with CMD OUT ERR -- bench args: runs the bench under CMD (started first
# and stopped after, with SIGINT), output of the bench in $TMP/b
with() {
   local cmd=$1 out=$2 err=$3; shift 3
   $cmd >"$out" 2>"$err" &
   local pid=$!
   sleep 1.5 # attach and snapshot
   "$BENCH" "$@" >"$TMP/b"
   sleep 0.5
   kill -INT $pid
   for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
   wait $pid 2>/dev/null
}

echo "# conn: $ROUNDS rounds of $SECS s, 4 client threads, 2 server threads; bulk: 64-byte writes"
printf "%-5s %9s %9s %6s %9s %9s %6s %s\n" round bare headless ratio bare2 json ratio "headless summary"
rh=() rj=() rb=()
for r in $(seq "$ROUNDS"); do
   "$BENCH" conn "$SECS" >"$TMP/b"; b1=$(rate "$TMP/b")
   with "$HEADLESS_CMD" /dev/null "$TMP/h.err" conn "$SECS"; h=$(rate "$TMP/b")
   made=$(field "$TMP/b" connections)
   "$BENCH" conn "$SECS" >"$TMP/b"; b2=$(rate "$TMP/b")
   with "$JSON_CMD" /dev/null "$TMP/j.err" conn "$SECS"; j=$(rate "$TMP/b")
   rh+=("$(echo "scale=3; $h / $b1" | bc)")
   rj+=("$(echo "scale=3; $j / $b2" | bc)")
   printf "%-5s %9s %9s %6s %9s %9s %6s made=%s %s | json: %s\n" "$r" "$b1" "$h" "${rh[-1]}" "$b2" "$j" \
      "${rj[-1]}" "$made" "$(tail -n 1 "$TMP/h.err")" "$(grep -i lost "$TMP/j.err" | tail -n 1)"
done
for r in $(seq "$ROUNDS"); do
   "$BENCH" bulk "$SECS" 64 >"$TMP/b"; b=$(rate "$TMP/b")
   with "$HEADLESS_CMD" /dev/null "$TMP/h.err" bulk "$SECS" 64; h=$(rate "$TMP/b")
   rb+=("$(echo "scale=3; $h / $b" | bc)")
   printf "bulk%-2s writes/s bare %9s headless %9s ratio %s\n" "$r" "$b" "$h" "${rb[-1]}"
done
median() { printf "%s\n" "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median ratio: headless $(median "${rh[@]}")  json $(median "${rj[@]}")  bulk $(median "${rb[@]}")"
