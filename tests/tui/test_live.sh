#!/bin/bash
# Live mode (root): a connection made after visnet started appears in the
# tree under its process, with its remote port; it shows as closed (dim,
# "closed ... ago") once it ends.
. "$VISNET_TESTS/tui/tuilib.sh"

require_root_bpf
command -v socat >/dev/null || skip "socat is not installed"

port=$((40000 + $$ % 20000))
pids=()
live_cleanup() {
   for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
   tui_cleanup
}
trap live_cleanup EXIT INT TERM

tui_start -x 160 -y 50 --filter "$port" -d 2
wait_for 'PID +USER +CONNS' 20
mode=$(cap | head -1)
echo "$mode" | grep -q 'eBPF live' || {
   [ "${VISNET_REQUIRE_BPF:-0}" = 1 ] && fail "not in eBPF live mode: $mode"
   echo "note: running in $(echo "$mode" | grep -o 'snapshot polling' || echo 'another mode')"
}

socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" EXEC:cat &
pids+=($!)
for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$port " && break; sleep 0.1; done
python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(30)' "$port" &
pids+=($!)

wait_for "LISTEN 127\.0\.0\.1:$port" 10
wait_for "(→|->) 127\.0\.0\.1:$port ESTABLISHED" 10
wait_for "(←|<-) 127\.0\.0\.1:[0-9]+ on :$port ESTABLISHED" 10
cap | grep -q socat || fail "the server (socat) is not shown"
cap | grep -q python3 || fail "the client (python3) is not shown"

# end the client: its connection stays, closed
kill "${pids[1]}" 2>/dev/null
wait_for "127\.0\.0\.1:$port .*closed [0-9]+s ago" 10

keys q
wait_for 'EXITED:0'
pass
