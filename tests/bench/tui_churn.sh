#!/bin/bash
# tui_churn.sh: the terminal UI's own cost, live, on an idle host and under
# paced connection churn between two network namespaces (bench_churn), as a
# person runs it: in tmux at COLSxLINES. Prints the UI's RSS and CPU idle
# (after START s), then per minute of churn, and the bytes it wrote to the
# terminal per second. Figures only, never a verdict. Needs root.
#
#   tui_churn.sh [MINUTES] [CONNS_PER_S] [VISNET_BIN]
# defaults: 4 minutes, 500 connections/s, build/src/visnet.
# env: COLS, LINES (200x50), START (10 s), CHURN (bench_churn)
set -u
MIN=${1:-4}
RATE=${2:-500}
top=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${3:-$top/build/src/visnet}
CHURN=${CHURN:-$(dirname "$BIN")/../tests/bench_churn}
W=${COLS:-200} H=${LINES:-50} START=${START:-10}
[ "$(id -u)" = 0 ] || { echo "tui_churn.sh: needs root"; exit 1; }
[ -x "$BIN" ] && [ -x "$CHURN" ] || { echo "tui_churn.sh: build $BIN and $CHURN first"; exit 1; }
A=vn-tc-a-$$ B=vn-tc-b-$$ S=vn-tc-$$
TMP=$(mktemp -d /tmp/vn-tc.XXXXXX)
. "$(dirname "$0")/netpair.sh"
cleanup() {
   kill $(jobs -p) 2>/dev/null
   tmux -L "$S" kill-server 2>/dev/null
   netpair_down "$A" "$B"
   rm -rf "$TMP"
}
trap cleanup EXIT
netpair_up "$A" "$B" 78 || exit 1
ip netns exec "$B" "$CHURN" server 7800 &

printf 'set -g status off\nset -g default-terminal screen\n' >"$TMP/tmux.conf"
tmux -L "$S" -f "$TMP/tmux.conf" new-session -d -x "$W" -y "$H" "LC_ALL=C.UTF-8 $BIN"
tmux -L "$S" pipe-pane -o "cat >>$TMP/bytes"
sleep 1
sh=$(tmux -L "$S" display -p '#{pane_pid}')
VN=$(pgrep -f "^$BIN\$" | head -1)
[ -n "$VN" ] || { echo "tui_churn.sh: visnet did not start"; exit 1; }
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
bytes() { stat -c %s "$TMP/bytes" 2>/dev/null || echo 0; }
sleep "$START"
c0=$(cpu "$VN") b0=$(bytes)
sleep 10
c1=$(cpu "$VN") b1=$(bytes)
echo "# tui_churn: ${W}x${H}, $RATE conns/s for $MIN min; visnet $(basename "$BIN") (pid $VN, shell $sh)"
echo "# phase minute rss_kib cpu_pct_of_a_core terminal_bytes_per_s"
awk -v r="$(rss "$VN")" -v d=$((c1 - c0)) -v hz="$TCK" -v b=$((b1 - b0)) \
   'BEGIN { printf "idle 0 %d %.2f %.0f\n", r, d * 100 / hz / 10, b / 10 }'
ip netns exec "$A" "$CHURN" client 10.78.0.2 fd78::2 7800 "$RATE" $((MIN * 60)) 0 >"$TMP/churn" &
CL=$!
c0=$c1 b0=$b1
for m in $(seq "$MIN"); do
   sleep 60
   kill -0 "$VN" 2>/dev/null || { echo "tui_churn.sh: visnet died"; exit 1; }
   c1=$(cpu "$VN") b1=$(bytes)
   awk -v m="$m" -v r="$(rss "$VN")" -v d=$((c1 - c0)) -v hz="$TCK" -v b=$((b1 - b0)) \
      'BEGIN { printf "churn %d %d %.2f %.0f\n", m, r, d * 100 / hz / 60, b / 60 }'
   c0=$c1 b0=$b1
done
wait $CL
echo "# churn: $(cat "$TMP/churn")"
echo "# header: $(tmux -L "$S" capture-pane -p | sed -n 2p)"
