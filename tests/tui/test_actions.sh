#!/bin/bash
# Acting on what you see (root, live): F9 sends the chosen signal to the
# selected process after a y that names it (the process dies of SIGTERM);
# x closes the selected TCP connection (the kernel's SOCK_DESTROY): gone
# from ss, its process sees ECONNABORTED and the other end a reset (RST);
# n cancels; c copies the row as one
# line through OSC 52 (tmux's buffer gets it). --read-only refuses both
# actions and keeps no capability at all.
. "$VISNET_TESTS/tui/tuilib.sh"

require_root_bpf
pyexe=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || skip "python3 is not installed"
name="vnact$$"
ln -s "$pyexe" "$TUI_TMP/$name" || fail "cannot link $pyexe"
port=$((20000 + ($$ + 11) % 20000))
vport=$((port + 1))
pids=()
act_cleanup() {
   for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
   tui_cleanup
}
trap act_cleanup EXIT INT TERM

select_row() { # the first row matching a pattern
   local y
   y=$(line_of "$1")
   [ "$y" -ge 4 ] || { cap >&2; fail "no row matches $1"; }
   mouse_click 60 "$y"
}

# a server and a client holding one connection; each writes how it ended
PORT=$port OUT="$TUI_TMP/server.out" "$TUI_TMP/$name" -c 'import os, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(os.environ["PORT"]))); s.listen(1)
c = s.accept()[0]
try:
    c.settimeout(60); r = c.recv(1); msg = "eof" if not r else "data"
except ConnectionResetError: msg = "reset"
except Exception as e: msg = type(e).__name__
open(os.environ["OUT"], "w").write(msg)' &
pids+=($!)
wait_listen "$port"
PORT=$port OUT="$TUI_TMP/client.out" "$TUI_TMP/$name" -c 'import os, socket
c = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])))
try:
    c.settimeout(60); r = c.recv(1); msg = "eof" if not r else "data"
except ConnectionResetError: msg = "reset"
except Exception as e: msg = type(e).__name__
open(os.environ["OUT"], "w").write(msg)' &
client=$!
pids+=($client)
# the process to signal: listens, sleeps
PORT=$vport "$TUI_TMP/$name" -c 'import os, socket, time
s = socket.socket(); s.bind(("127.0.0.1", int(os.environ["PORT"]))); s.listen(1); time.sleep(60)' &
victim=$!
pids+=($victim)
wait_listen "$vport"

tui_start -x 200 -y 50 -d 2
T set-option -g set-clipboard on
wait_for 'PID +USER +CONNS' 20
keys '\'
type_text "$name"
keys Enter
wait_for "127\\.0\\.0\\.1:$vport" 15
wait_for "(→|->) 127\\.0\\.0\\.1:$port ESTABLISHED" 10

# 1. a signal, chosen and confirmed
select_row "^ +$victim root .*$name"
keys F9
wait_for "Send a signal to $name\\[$victim\\]" 5
keys Enter
wait_for "Send SIGTERM \\(15\\) to $name\\[$victim\\]\\?  y: yes" 5
keys y
wait_for "sent SIGTERM to $name\\[$victim\\]" 5
wait "$victim"
rc=$?
[ "$rc" = 143 ] || fail "the process ended with $rc, want 143 (SIGTERM)"
echo "ok   F9, Enter, y: SIGTERM to $name[$victim], which died of it (143)"

# 2. n cancels; then the connection closed, and both ends reset
select_row "(→|->) 127\\.0\\.0\\.1:$port ESTABLISHED"
keys x
wait_for "Close \\(reset both ends\\) tcp 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$port of $name\\[$client\\]\\?" 5
keys n
wait_for 'cancelled: nothing was done' 5
ss -Htn state established "( dport = :$port )" | grep -q . || fail "n closed the connection"
# 3. c: the row as one line, through OSC 52 into tmux's buffer
keys c
wait_for "copied: tcp 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$port $name\\[$client\\]" 5
buf=$(T show-buffer 2>/dev/null)
grep -Eqx "tcp 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$port $name\\[$client\\]" <<<"$buf" ||
   fail "tmux's buffer holds '$buf'"
echo "ok   n cancels; c copies '$buf' (OSC 52)"
keys x
wait_for "Close \\(reset both ends\\)" 5
keys y
wait_for "closed tcp 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$port of $name\\[$client\\]: its process gets ECONNABORTED, the other end a reset" 5
for i in $(seq 50); do [ -s "$TUI_TMP/client.out" ] && [ -s "$TUI_TMP/server.out" ] && break; sleep 0.1; done
[ "$(cat "$TUI_TMP/client.out" 2>/dev/null)" = ConnectionAbortedError ] ||
   fail "the client saw '$(cat "$TUI_TMP/client.out" 2>/dev/null)', want ConnectionAbortedError"
[ "$(cat "$TUI_TMP/server.out" 2>/dev/null)" = reset ] || fail "the server saw '$(cat "$TUI_TMP/server.out" 2>/dev/null)', want reset"
ss -Htn "( dport = :$port or sport = :$port )" | grep -q ESTAB && fail "the connection is still in ss"
echo "ok   x, y: the connection is gone from ss; the client's recv failed with ECONNABORTED, the server's with a reset"
keys q
wait_for 'EXITED:0'

# 4. --read-only: both refused, no capability kept
PORT=$vport "$TUI_TMP/$name" -c 'import os, socket, time
s = socket.socket(); s.bind(("127.0.0.1", int(os.environ["PORT"]))); s.listen(1); time.sleep(60)' &
victim=$!
pids+=($victim)
wait_listen "$vport"
tui_start -x 200 -y 50 -d 2 --read-only
wait_for 'PID +USER +CONNS' 20
keys '\'
type_text "$name"
keys Enter
wait_for "127\\.0\\.0\\.1:$vport" 15
select_row "^ +$victim root .*$name"
keys F9
wait_for '--read-only: no signals, no closing of connections' 5
kill -0 "$victim" || fail "--read-only: the process is gone"
vn=$(visnet_pid)
[ "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$vn/status")" = 0000000000000000 ] ||
   fail "--read-only kept capabilities: $(grep CapEff "/proc/$vn/status")"
echo "ok   --read-only: F9 refused in one line, no capability kept"
