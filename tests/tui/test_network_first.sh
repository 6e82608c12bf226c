#!/bin/bash
# Network first (root, live): the default tree holds the processes that
# have or had a socket and their ancestors, not kernel threads; `a` shows
# every process and back. 1 000 short connections of a client to a server
# fold into one row on each side (×1000 closed), the held connection stays
# in view beside them, CONNS counts the active one only; Space opens a fold
# (its connections listed beneath) and closes it; the details pane says
# what it stands for.
. "$VISNET_TESTS/tui/tuilib.sh"

require_root_bpf
pyexe=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || skip "python3 is not installed"

name="vnnet$$"
ln -s "$pyexe" "$TUI_TMP/$name" || fail "cannot link $pyexe"
port=$((40000 + ($$ + 7) % 20000))
N=1000
pids=()
net_cleanup() {
   for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
   tui_cleanup
}
trap net_cleanup EXIT INT TERM

tui_start -x 200 -y 50 -d 2
wait_for 'PID +USER +CONNS' 20
wait_for 'with sockets' 5
cap | grep -q kthreadd && { cap >&2; fail "kthreadd shown in the default view"; }

PORT=$port N=$N "$TUI_TMP/$name" -c 'import os, socket, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(os.environ["PORT"])))
srv.listen(64)
for _ in range(int(os.environ["N"])):
    c = srv.accept()[0]
    c.recv(1)
    c.close()
held = srv.accept()[0]
time.sleep(60)' &
pids+=($!)
server=$!
wait_listen "$port"
PORT=$port N=$N "$TUI_TMP/$name" -c 'import os, socket, time
for _ in range(int(os.environ["N"])):
    s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])))
    s.send(b"x")
    s.recv(1)
    s.close()
held = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])))
time.sleep(60)' &
pids+=($!)
client=$!

# only the test's processes from now on
keys '\'
type_text "$name"
keys Enter
wait_for "(→|->) 127\\.0\\.0\\.1:$port (×|x)$N closed" 15
wait_for "(←|<-) 127\\.0\\.0\\.1 on :$port (×|x)$N closed" 5
wait_for "(→|->) 127\\.0\\.0\\.1:$port ESTABLISHED" 5
wait_for "(←|<-) 127\\.0\\.0\\.1:[0-9]+ on :$port ESTABLISHED" 5
screen=$(cap)
grep -Eq "^ *$client +root +1 " <<<"$screen" || { echo "$screen" >&2; fail "client row: CONNS is not 1"; }
grep -Eq "^ *$server +root +1 " <<<"$screen" || { echo "$screen" >&2; fail "server row: CONNS is not 1"; }
rows=$(grep -c "127\\.0\\.0\\.1" <<<"$screen")
[ "$rows" = 7 ] || { echo "$screen" >&2; fail "$rows rows of 127.0.0.1, want 7 (2 edges, 2 folds, 2 held, the listener)"; }
echo "ok   $N connections: one fold row each side, the held ones in view, CONNS 1 each"

# open the server's fold: select it, Space
keys g
first=$(($(line_of 'PID +USER +CONNS') + 1))
fold=$(line_of "on :$port (×|x)$N closed")
for ((i = first; i < fold; i++)); do keys Down; done
keys Space
wait_for "(▾|-) (←|<-) 127\\.0\\.0\\.1 on :$port (×|x)$N closed" 5
# beneath: the 32 latest one by one, the older ones as one summary row
below=$(cap | sed -n "$((fold + 2)),\$p")
grep -Eq "(←|<-) 127\\.0\\.0\\.1:[0-9]+ on :$port +(↑|tx).*closed" <<<"$below" ||
   { cap >&2; fail "no closed connection beneath the opened fold"; }
grep -Eq "(←|<-) 127\\.0\\.0\\.1:[0-9]+ on :$port (×|x)$((N - 32)) earlier .*last closed" <<<"$below" ||
   { cap >&2; fail "no summary of the $((N - 32)) earlier connections beneath the opened fold"; }
keys i
wait_for "$N closed connections" 5
keys Escape
keys Space
wait_for "(▸|\\+) (←|<-) 127\\.0\\.0\\.1 on :$port (×|x)$N closed" 5
[ "$(cap | grep -c "127\\.0\\.0\\.1")" = 7 ] || { cap >&2; fail "the fold did not close"; }
echo "ok   Space opens the fold (its connections beneath), the details say $N, Space closes it"

# the mouse: a click on the client's fold marker opens it, another closes it
y=$(line_of "(▸|\\+) (→|->) 127\\.0\\.0\\.1:$port (×|x)$N closed")
x=$(cap | sed -n "$((y + 1))p" | python3 -c 'import sys; print(sys.stdin.read().find("\u25b8"))')
[ "$x" -gt 0 ] || { cap >&2; fail "no fold marker on the client's fold row"; }
mouse_click "$x" "$y"
wait_for "▾ (→|->) 127\\.0\\.0\\.1:$port (×|x)$N closed" 5
mouse_click "$x" "$y"
wait_for "▸ (→|->) 127\\.0\\.0\\.1:$port (×|x)$N closed" 5
echo "ok   a click on a fold marker opens the fold, another closes it"

# every process: kernel threads too (kthreadd, pid 2, right after pid 1's
# subtree on the first screen), and back
keys Escape
wait_for 'filter cleared' 5
keys g
cap | grep -q ' kthreadd' && { cap >&2; fail "kthreadd shown before a"; }
keys a
wait_for 'all processes' 5
wait_for '^ +2 root +0 +kthreadd' 5
keys a
wait_for 'with sockets' 5
wait_gone ' kthreadd' 5
echo "ok   a shows kthreadd, a again hides it"
keys q
wait_for 'EXITED:0'
pass
