#!/bin/bash
# soak.sh: visnet --headless under an hour of mixed churn between two
# network namespaces (TCP over IPv4 and IPv6, UDP from new sockets, fork
# and exec of /bin/true), its RSS and CPU sampled every minute. Prints one
# line per minute and the summary visnet gave at the end (events, lost).
# Figures only, never a verdict. Needs root (the probe, the namespaces).
#
#   soak.sh [MINUTES] [CONNS_PER_S] [VISNET_BIN]
# defaults: 60 minutes, 5000 connections/s, build/src/visnet.
# env: CHURN (bench_churn; default next to the binary's build), EXECS (per
#   second, default 50), VISNET_ARGS (extra flags for visnet)
set -u
MIN=${1:-60}
RATE=${2:-5000}
top=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${3:-$top/build/src/visnet}
CHURN=${CHURN:-$(dirname "$BIN")/../tests/bench_churn}
[ "$(id -u)" = 0 ] || { echo "soak.sh: needs root"; exit 1; }
[ -x "$BIN" ] || { echo "soak.sh: $BIN not built"; exit 1; }
[ -x "$CHURN" ] || { echo "soak.sh: $CHURN not built (set CHURN)"; exit 1; }
A=vn-soak-a-$$ B=vn-soak-b-$$
TMP=$(mktemp -d /tmp/vn-soak.XXXXXX)
. "$(dirname "$0")/netpair.sh"
cleanup() {
   kill $(jobs -p) 2>/dev/null
   netpair_down "$A" "$B"
   rm -rf "$TMP"
}
trap cleanup EXIT
netpair_up "$A" "$B" 77 || exit 1

ip netns exec "$B" "$CHURN" server 7700 &
sleep 0.5
"$BIN" --headless ${VISNET_ARGS:-} >/dev/null 2>"$TMP/err" &
VN=$!
sleep 2
kill -0 $VN 2>/dev/null || { echo "soak.sh: visnet did not start: $(cat "$TMP/err")"; exit 1; }
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

ip netns exec "$A" "$CHURN" client 10.77.0.2 fd77::2 7700 "$RATE" $((MIN * 60)) "${EXECS:-50}" >"$TMP/churn" &
CL=$!
echo "# soak: $MIN min, $RATE conns/s asked, ${EXECS:-50} execs/s, UDP 80 datagrams/s; visnet $(basename "$BIN") ${VISNET_ARGS:-}"
echo "# minute rss_kib cpu_pct_of_a_core"
c0=$(cpu $VN)
for m in $(seq "$MIN"); do
   sleep 60
   kill -0 $VN 2>/dev/null || { echo "soak.sh: visnet died: $(tail -n 3 "$TMP/err")"; exit 1; }
   c1=$(cpu $VN)
   awk -v m="$m" -v r="$(rss $VN)" -v d=$((c1 - c0)) -v hz="$TCK" 'BEGIN { printf "%d %d %.1f\n", m, r, d * 100 / hz / 60 }'
   c0=$c1
done
wait $CL
echo "# churn: $(cat "$TMP/churn")"
sleep 1.5
kill -INT $VN
wait $VN
echo "# visnet: $(tail -n 1 "$TMP/err")"
