#!/bin/bash
# bench_live_cpu.sh: visnet's own CPU (user + system) per event while
# `bench_conn_load conn` runs, for one or more visnet binaries, alternated
# round by round so that the machine's drift hits each alike. Prints, per
# run, the events visnet saw, its CPU during the load (from /proc/PID/stat,
# start-up and exit excluded) and ns per event, then the medians. Figures
# only, never a verdict. Needs root (the eBPF probe).
#
#   bench_live_cpu.sh [ROUNDS] [SECONDS] VISNET_BIN...
# env: BENCH (bench_conn_load; default next to the first binary's build),
#   WARMUP=S: a load of S seconds before the measured one, so that the
#   store is already at its inactive cap (a long-running visnet) and its
#   growth (the kernel zeroing new pages) is not counted; its events are
#   taken as 5 per connection it made
#   MODE: how visnet runs (default --headless; e.g. MODE=--json, its lines to /dev/null)
set -u
ROUNDS=${1:-3}
SECS=${2:-3}
shift 2 || { echo "usage: bench_live_cpu.sh ROUNDS SECONDS VISNET_BIN..."; exit 1; }
[ $# -ge 1 ] || { echo "usage: bench_live_cpu.sh ROUNDS SECONDS VISNET_BIN..."; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench_live_cpu.sh: needs root"; exit 1; }
BENCH=${BENCH:-$(dirname "$1")/../tests/bench_conn_load}
[ -x "$BENCH" ] || { echo "bench_live_cpu.sh: $BENCH not built (set BENCH)"; exit 1; }
TMP=$(mktemp -d /tmp/vn-livecpu.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
TCK=$(getconf CLK_TCK)

# "utime stime" of PID, in clock ticks (fields 14 and 15; comm has no spaces)
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

# run BIN: prints "events cpu_ms ns_per_event bench_rate user_ns_per_event"
run() {
   "$1" ${MODE:---headless} >/dev/null 2>"$TMP/err" &
   local pid=$!
   sleep 2 # attach and start-up snapshot
   local warm_events=0
   if [ "${WARMUP:-0}" != 0 ]; then
      "$BENCH" conn "$WARMUP" >"$TMP/w"
      # 5 events per connection: connect, connected, accept, close, close
      warm_events=$(( $(sed -n 's/.*connections=\([0-9]*\).*/\1/p' "$TMP/w") * 5 ))
      sleep 1.3
   fi
   local t0 u0; read -r u0 t0 < <(ticks $pid)
   "$BENCH" conn "$SECS" >"$TMP/b"
   sleep 1.3 # the refresh timer (1 s) drains the ring buffer
   local t1 u1; read -r u1 t1 < <(ticks $pid)
   kill -INT $pid
   for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
   wait $pid 2>/dev/null
   local ev; ev=$(sed -n 's/.*: \([0-9]*\) events.*/\1/p' "$TMP/err" | tail -n 1)
   [ "${WARMUP:-0}" != 0 ] && ev=$((ev - warm_events))
   local rate; rate=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$TMP/b")
   awk -v e="${ev:-0}" -v u=$((u1 - u0)) -v t=$((u1 + t1 - u0 - t0)) -v hz="$TCK" -v r="${rate:-0}" \
      'BEGIN { ms = t * 1000 / hz; us = u * 1000 / hz
               printf "%d %d %.0f %d %.0f\n", e, ms, e ? ms * 1e6 / e : 0, r, e ? us * 1e6 / e : 0 }'
}

echo "# $ROUNDS rounds of bench_conn_load conn $SECS; per binary: events cpu_ms ns/event bench_rate user_ns/event"
for r in $(seq "$ROUNDS"); do
   line="$r"
   i=0
   for bin in "$@"; do
      res=$(run "$bin")
      echo "$res" >>"$TMP/res.$i"
      line="$line | $res"
      i=$((i + 1))
   done
   echo "$line"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
i=0
for bin in "$@"; do
   med=$(awk '{print $3}' "$TMP/res.$i" | median)
   # ns/event over the first binary's in the same round: drift cancels
   ratio=$(paste "$TMP/res.$i" "$TMP/res.0" | awk '$8 > 0 {printf "%.2f\n", $3 / $8}' | median)
   user=$(awk '{print $5}' "$TMP/res.$i" | median)
   echo "median ns/event: $med (user $user), median ratio to the first: $ratio  ($bin)"
   i=$((i + 1))
done
