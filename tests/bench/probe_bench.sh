#!/bin/bash
# probe_bench.sh: overhead of the eBPF probe on a loopback connection load
# and on a bulk transfer with small writes, as ratios of interleaved runs:
#   bare, with `visnet --headless`, bare, with `visnet --json >/dev/null`
# and bulk bare vs bulk with `visnet --headless`. Prints figures; never a
# pass/fail verdict. Needs root.
#
#   probe_bench.sh [ROUNDS] [SECONDS]
# env: BENCH (bench_conn_load), HEADLESS_CMD and JSON_CMD (default
#   "$VISNET --headless" and "$VISNET --json"), BULK_ROUNDS (default ROUNDS).
set -u
ROUNDS=${1:-5}
SECS=${2:-5}
BULK_ROUNDS=${BULK_ROUNDS:-$ROUNDS}
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
   sleep 2 # attach and snapshot
   "$BENCH" "$@" >"$TMP/b"
   sleep 0.5
   kill -INT $pid
   for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
   wait $pid 2>/dev/null
}

ratio() { echo "scale=3; $1 / $2" | bc; }
median() { printf "%s\n" "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# conn: $ROUNDS rounds of $SECS s, 4 client threads, 2 server threads"
echo "# rate = connections/s; cpu = bench CPU ns per connection; ratio = with/bare rate, cpu ratio = bare/with cpu"
printf "%-3s %7s %7s %6s %6s | %7s %7s %6s %6s | %s\n" "" bare headless ratio cpu bare json ratio cpu \
   "connections made; headless summary; json lost"
rh=() rj=() ch=() cj=() rb=() cb=() rt=() ct=()
for r in $(seq "$ROUNDS"); do
   "$BENCH" conn "$SECS" >"$TMP/b"; b1=$(rate "$TMP/b"); bc1=$(field "$TMP/b" cpu_ns)
   with "$HEADLESS_CMD" /dev/null "$TMP/h.err" conn "$SECS"; h=$(rate "$TMP/b"); hc=$(field "$TMP/b" cpu_ns)
   made=$(field "$TMP/b" connections)
   "$BENCH" conn "$SECS" >"$TMP/b"; b2=$(rate "$TMP/b"); bc2=$(field "$TMP/b" cpu_ns)
   with "$JSON_CMD" /dev/null "$TMP/j.err" conn "$SECS"; j=$(rate "$TMP/b"); jc=$(field "$TMP/b" cpu_ns)
   rh+=("$(ratio "$h" "$b1")"); ch+=("$(ratio "$bc1" "$hc")")
   rj+=("$(ratio "$j" "$b2")"); cj+=("$(ratio "$bc2" "$jc")")
   printf "%-3s %7s %7s %6s %6s | %7s %7s %6s %6s | made=%s; %s; %s\n" "$r" "$b1" "$h" "${rh[-1]}" "${ch[-1]}" \
      "$b2" "$j" "${rj[-1]}" "${cj[-1]}" "$made" "$(tail -n 1 "$TMP/h.err")" \
      "$(grep -i lost "$TMP/j.err" | tail -n 1)"
done
echo "# bulk: one connection, 64-byte writes, $SECS s; rate = writes/s; headless, and headless with"
echo "# VISNET_PROBE_BYTES=trace (per-send/recv byte counting instead of tcp_sock reads at flush)"
for r in $(seq "$BULK_ROUNDS"); do
   "$BENCH" bulk "$SECS" 64 >"$TMP/b"; b=$(rate "$TMP/b"); bcpu=$(field "$TMP/b" cpu_ns)
   with "$HEADLESS_CMD" /dev/null "$TMP/h.err" bulk "$SECS" 64; h=$(rate "$TMP/b"); hc=$(field "$TMP/b" cpu_ns)
   VISNET_PROBE_BYTES=trace with "$HEADLESS_CMD" /dev/null "$TMP/t.err" bulk "$SECS" 64
   t=$(rate "$TMP/b"); tc=$(field "$TMP/b" cpu_ns)
   rb+=("$(ratio "$h" "$b")"); cb+=("$(ratio "$bcpu" "$hc")")
   rt+=("$(ratio "$t" "$b")"); ct+=("$(ratio "$bcpu" "$tc")")
   printf "bulk %-2s bare %8s (%s ns/write)  headless %8s ratio %s cpu %s  trace %8s ratio %s cpu %s\n" \
      "$r" "$b" "$bcpu" "$h" "${rb[-1]}" "${cb[-1]}" "$t" "${rt[-1]}" "${ct[-1]}"
done
echo "median: headless rate $(median "${rh[@]}") cpu $(median "${ch[@]}");" \
   "json rate $(median "${rj[@]}") cpu $(median "${cj[@]}");" \
   "bulk rate $(median "${rb[@]}") cpu $(median "${cb[@]}");" \
   "bulk/trace rate $(median "${rt[@]}") cpu $(median "${ct[@]}")"
