#!/bin/bash
# Live mode (root): a connection accepted by a server that forks a child to
# serve it appears under the child as soon as the child uses it, not under
# the parent, and its details say where it came from ("from pid").
. "$VISNET_TESTS/tui/tuilib.sh"

require_root_bpf
pyexe=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || skip "python3 is not installed"

name="vnown$$"
ln -s "$pyexe" "$TUI_TMP/$name" || fail "cannot link $pyexe"
port=$((40000 + ($$ + 7) % 20000))
pids=()
own_cleanup() {
   for p in "${pids[@]}"; do pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
   tui_cleanup
}
trap own_cleanup EXIT INT TERM

tui_start -x 160 -y 50 --filter "$name" -d 2
wait_for 'PID +USER +CONNS' 20
cap | head -1 | grep -q 'eBPF live' || fail "not in eBPF live mode: $(cap | head -1)"

PORT=$port OUT=$TUI_TMP/child "$TUI_TMP/$name" -c 'import os, socket, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(os.environ["PORT"])))
srv.listen(4)
c, _ = srv.accept()
child = os.fork()
if child == 0:
    srv.close()
    c.recv(100)
    c.sendall(b"pong")
    time.sleep(60)
    os._exit(0)
c.close()
open(os.environ["OUT"], "w").write(str(child))
time.sleep(60)' &
pids+=($!)
wait_listen "$port"
PORT=$port "$TUI_TMP/$name" -c 'import os, socket, time
s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])))
s.sendall(b"ping")
s.recv(100)
time.sleep(60)' &
pids+=($!)
for _ in $(seq 50); do [ -s "$TUI_TMP/child" ] && break; sleep 0.1; done
child=$(cat "$TUI_TMP/child")
[ -n "$child" ] || fail "the server did not fork"

accepted="(←|<-) 127\\.0\\.0\\.1:[0-9]+ on :$port ESTABLISHED"
wait_for "$accepted" 10
# the accepted connection is the first socket row after the child's row
rows=$(cap | grep -En -- "^ *($child|${pids[0]}) |$accepted")
echo "$rows" | grep -Eq -- "^[0-9]+: *${pids[0]} " || { cap >&2; fail "the server's row is missing"; }
after=$(echo "$rows" | grep -EA1 -- "^[0-9]+: *$child " | tail -1)
echo "$after" | grep -Eq -- "$accepted" || { cap >&2; fail "the accepted connection is not under the child $child"; }
[ -z "${TUI_DEBUG:-}" ] || cap >&2
pass
