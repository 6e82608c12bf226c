#!/bin/bash
# bench_idle_cpu.sh: CPU used by an idle visnet UI (default refresh, 1 s)
# while N sockets are open (default 20 000: 10 000 loopback connections
# held by two python3 processes, as the open-file limit is 20 000 each).
# Prints the share of one core over SECONDS (default 30) and the bytes the
# UI wrote to its terminal meanwhile. Needs root for the live mode; without
# root it measures the snapshot polling mode (--no-bpf).
#   VISNET=build/src/visnet tests/bench/bench_idle_cpu.sh [CONNS] [SECONDS]
set -u
: "${VISNET:?VISNET must point at the visnet binary}"
conns=${1:-10000}
secs=${2:-30}
port=$((30000 + $$ % 20000))
sock="visnet-bench-$$"
tmp=$(mktemp -d)
pids=()
cleanup() {
   for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
   tmux -L "$sock" kill-server 2>/dev/null
   rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
   rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

python3 - "$port" "$conns" <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(4096)
held = []
while len(held) < n:
    held.append(srv.accept()[0])
time.sleep(3600)
PY
pids+=($!)
sleep 0.5
python3 - "$port" "$conns" <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
time.sleep(3600)
PY
pids+=($!)
for _ in $(seq 120); do
   have=$(ss -tn state established "( sport = :$port )" | tail -n +2 | wc -l)
   [ "$have" -ge "$conns" ] && break
   sleep 0.5
done
echo "connections established: $have (sockets: $((have * 2)))"

mode=""
[ "$(id -u)" = 0 ] || mode="--no-bpf"
printf 'set -g status off\n' >"$tmp/tmux.conf"
tmux -L "$sock" -f "$tmp/tmux.conf" new-session -d -x 200 -y 50 "LC_ALL=C.UTF-8 $VISNET $mode"
tmux -L "$sock" pipe-pane -o "cat >>'$tmp/out'"
sleep 8 # startup snapshot and first frames
sh_pid=$(tmux -L "$sock" display -p '#{pane_pid}')
vpid=$(pgrep -P "$sh_pid" -x visnet | head -1)
[ -n "$vpid" ] || vpid=$sh_pid
tmux -L "$sock" capture-pane -p | sed -n 1,2p
ticks() { awk '{print $14 + $15}' "/proc/$vpid/stat"; }
hz=$(getconf CLK_TCK)
b0=$(stat -c %s "$tmp/out")
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
b1=$(stat -c %s "$tmp/out")
awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" \
   'BEGIN { printf "visnet CPU while idle: %.2f%% of one core over %d s\n", 100 * d / hz / s, s }'
echo "terminal output while idle: $((b1 - b0)) bytes in $secs s"
tmux -L "$sock" capture-pane -p | sed -n 1,2p
