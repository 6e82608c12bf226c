#!/bin/bash
# test_owner_full.sh: a full owner table is said, not hidden. With an owner
# table of one bucket (8 places, VISNET_PROBE_OWNER_BUCKETS=1), 20 loopback
# connections held open need 41 owners (20 clients, 20 accepted, the
# listener): the exit summary must count the sockets left without one.
. "$(dirname "$0")/lib.sh"
vn_require
export VISNET_PROBE_OWNER_BUCKETS=1
P=$((20000 + RANDOM % 12000))
vn_start
python3 - "$P" <<'PY' || vn_fail "holding 20 connections failed"
import socket, sys, time
port = int(sys.argv[1])
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port))
l.listen(64)
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
servers = [l.accept()[0] for _ in range(20)]
time.sleep(1.5)
PY
vn_stop 1
n=$(sed -n 's/.* \([0-9][0-9]*\) sockets untracked (owner table full).*/\1/p' "$VN_ERR")
[ -n "$n" ] || vn_fail "no untracked count in the summary: $(tail -n 1 "$VN_ERR")"
[ "$n" -ge 33 ] || vn_fail "$n sockets untracked, want at least 33 (41 owners, 8 places)"
full=$(tail -n 1 "$VN_OUT" | jq -c 'select(.type == "bye") | .map_full')
[ "$full" = "{\"owners\":$n,\"udp_peers\":0,\"calls\":0,\"seeds\":0}" ] ||
   vn_fail "bye map_full $full, want owners $n and no other table full"
echo "ok   $n sockets untracked with a table of 8 places, the same in the bye's map_full"
grep -qE '(^|[^0-9])0 lost' "$VN_ERR" || vn_fail "events lost: $(tail -n 1 "$VN_ERR")"

# the default table has room: no such line
unset VISNET_PROBE_OWNER_BUCKETS
vn_start
python3 -c "
import socket
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
c = socket.create_connection(l.getsockname()); s = l.accept()[0]"
vn_stop 0.5
grep -q untracked "$VN_ERR" && vn_fail "untracked sockets with the default table: $(tail -n 1 "$VN_ERR")"
full=$(tail -n 1 "$VN_OUT" | jq -c 'select(.type == "bye") | .map_full')
[ "$full" = '{"owners":0,"udp_peers":0,"calls":0,"seeds":0}' ] || vn_fail "default table: bye map_full $full"
echo "ok   none untracked with the default table, map_full all 0"
echo PASS
