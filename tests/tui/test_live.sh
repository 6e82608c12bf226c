#!/bin/bash
# Live mode (root): connections made after visnet started appear in the
# tree under their processes, with the listening socket, both directions
# and the remote port; a closed one stays, shown as closed.
# The two processes run under a name of their own (a symlink to the Python
# interpreter), which the filter selects: nothing else on the machine
# matches it, and the port never appears in another command line.
. "$VISNET_TESTS/tui/tuilib.sh"

require_root_bpf
pyexe=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || skip "python3 is not installed"

name="vnlive$$"
ln -s "$pyexe" "$TUI_TMP/$name" || fail "cannot link $pyexe"
port=$((40000 + $$ % 20000))
pids=()
live_cleanup() {
   for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
   tui_cleanup
}
trap live_cleanup EXIT INT TERM

tui_start -x 160 -y 50 --filter "$name" -d 2
wait_for 'PID +USER +CONNS' 20
mode=$(cap | head -1)
echo "$mode" | grep -q 'eBPF live' || {
   [ "${VISNET_REQUIRE_BPF:-0}" = 1 ] && fail "not in eBPF live mode: $mode"
   echo "note: running in $(echo "$mode" | grep -o 'snapshot polling' || echo 'another mode')"
}

PORT=$port "$TUI_TMP/$name" -c 'import os, socket, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(os.environ["PORT"])))
srv.listen(4)
held = [srv.accept()[0] for _ in range(2)]
time.sleep(60)' &
pids+=($!)
wait_listen "$port"
client='import os, socket, time
s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])))
time.sleep(60)'
PORT=$port "$TUI_TMP/$name" -c "$client" &
pids+=($!)
PORT=$port "$TUI_TMP/$name" -c "$client" &
pids+=($!)

wait_for "LISTEN 127\\.0\\.0\\.1:$port" 10
wait_for "(→|->) 127\\.0\\.0\\.1:$port ESTABLISHED" 10
wait_for "(←|<-) 127\\.0\\.0\\.1:[0-9]+ on :$port ESTABLISHED" 10
[ "$(cap | grep -c "$name")" -ge 3 ] || { cap >&2; fail "the three processes are not all shown"; }

# end one client: its connection stays, closed
kill "${pids[1]}" 2>/dev/null
wait_for "127\\.0\\.0\\.1:$port .*closed [0-9]+s ago" 10
cap | grep -Eq "127\\.0\\.0\\.1:$port ESTABLISHED" || fail "the other connection went too"

keys q
wait_for 'EXITED:0'
pass
