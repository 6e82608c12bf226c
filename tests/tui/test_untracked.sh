#!/bin/bash
# A full owner table shows in the header: with a table of 8 places
# (VISNET_PROBE_OWNER_BUCKETS=1), 20 loopback connections held open leave
# sockets without an owner, and the header counts them ("untracked N").
. "$VISNET_TESTS/tui/tuilib.sh"

require_root_bpf
port=$((40000 + $$ % 20000))
holder=""
untracked_cleanup() {
   [ -n "$holder" ] && kill "$holder" 2>/dev/null
   tui_cleanup
}
trap untracked_cleanup EXIT INT TERM

tui_start -e VISNET_PROBE_OWNER_BUCKETS=1 -x 160 -y 30 -d 2
wait_for 'PID +USER +CONNS' 20
cap | head -2 | grep -q 'untracked' && fail "untracked shown before the table filled"
python3 -c '
import socket, sys, time
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen(64)
c = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(20)]
s = [l.accept()[0] for _ in range(20)]
time.sleep(30)' "$port" &
holder=$!
# the count grows while the connections are made: wait for all of them
# (a frame in the middle of the connects showed 2, then 12 ...)
wait_for 'lost 0  untracked (3[3-9]|[4-9][0-9]|[1-9][0-9]{2,})' 10
n=$(cap | sed -n 's/.*untracked \([0-9][0-9]*\).*/\1/p' | head -1)
[ "$n" -ge 33 ] || fail "header says untracked $n, want at least 33"
keys q
wait_for 'EXITED:0'
pass
