#!/bin/bash
# test_preexisting.sh: sockets older than visnet are first-class.
#  1. a connection opened before visnet starts that moves data after: its
#     events carry the client's pid (never 0), its byte counts grow while it
#     is open and its close has the exact bytes sent;
#  2. a connect still in SYN_SENT when visnet starts (the server's veth is
#     down, so SYNs are dropped) that completes once the link is up: a
#     `connected` event with the client's pid;
#  3. a process whose main thread called pthread_exit while another thread
#     holds a connection: the snapshot finds its holder (through
#     /proc/PID/task/TID/fd) and its close carries that pid.
. "$(dirname "$0")/lib.sh"
vn_require
vn_lifeapp
vn_netns_pair vnp-old 14
A=vnp-old-a B=vnp-old-b
P0=$((23000 + RANDOM % 2000))
# 1. a dripping client: 8 writes of 1000 bytes 0.5 s apart, then 1000 more
$VN_APP server --bind 127.0.0.1 --port $P0 --reply 100 --out "$VN_TMP/ds" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/ds.ready"
$VN_APP client --addr 127.0.0.1 --port $P0 --send 1000 --drip 8 --out "$VN_TMP/dc" &
VN_PIDS+=($!)
# 3. the main thread exits, another thread holds the connection
$VN_APP server --bind 127.0.0.1 --port $((P0 + 1)) --reply 50 --out "$VN_TMP/ts" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/ts.ready"
"$LIFE" thread-exit 127.0.0.1 $((P0 + 1)) 3000 "$VN_TMP/go" "$VN_TMP/tc" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/tc"
# 2. a connect stuck in SYN_SENT: the server side of the veth is down; a
# permanent neighbour entry keeps ARP from failing the connect
MAC=$(ip -n $A -o link show vn14a | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
ip -n $B neigh replace 10.200.14.1 lladdr "$MAC" dev vn14b nud permanent
ip netns exec $A $VN_APP server --bind 10.200.14.1 --port $((P0 + 2)) --reply 10 --out "$VN_TMP/ss" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/ss.ready"
ip -n $A link set vn14a down
ip netns exec $B $VN_APP client --addr 10.200.14.1 --port $((P0 + 2)) --send 20 --out "$VN_TMP/sc" &
VN_PIDS+=($!)
sleep 0.3
ip netns exec $B ss -tn state syn-sent | grep -q "10.200.14.1:$((P0 + 2))" || vn_fail "no connect in SYN_SENT"
vn_start
ip -n $A link set vn14a up
touch "$VN_TMP/go"
vn_wait_file "$VN_TMP/dc"
vn_wait_file "$VN_TMP/sc"
vn_wait_file "$VN_TMP/tc.done"
vn_stop 1.5

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
P0 = $P0

def life(tag, kv, lport, rport, tx, rx):
    cli = dict(lport=lport, rport=rport)
    got = ev.conn(**cli)
    ev.check([e for e in got if e["type"] == "sock" and e["pid"] == kv["pid"]] != [],
             "%s: the snapshot names the holder %d" % (tag, kv["pid"]))
    ev.check(not [e for e in got if e["pid"] != kv["pid"]],
             "%s: every event carries pid %d (%s)" % (tag, kv["pid"], sorted(set((e["type"], e["pid"]) for e in got if e["pid"] != kv["pid"]))))
    cl = [e for e in got if e["type"] == "close"]
    ev.check([(e["tx"], e["rx"]) for e in cl] == [(tx, rx)],
             "%s: one close, tx %d rx %d (%s)" % (tag, tx, rx, [(e["tx"], e["rx"]) for e in cl]))
    return got

# 1
dc = read_kv("$VN_TMP/dc")
got = life("old connection", dc, dc["lport0"], P0, 9000, 100)
tx = [e["tx"] for e in got if e["type"] == "bytes"]
ev.check(len(tx) >= 3 and tx == sorted(tx) and len(set(tx)) == len(tx) and tx[-1] <= 9000,
         "old connection: bytes events grow while it is open (%s)" % tx)
srv = [e for e in ev.conn(lport=P0, rport=dc["lport0"]) if e["type"] == "close"]
ev.check([(e["pid"], e["rx"]) for e in srv] == [(read_kv("$VN_TMP/ds")["pid"], 9000)],
         "old connection: the server's close, rx 9000 (%s)" % [(e["pid"], e["rx"]) for e in srv])
# 2
sc = read_kv("$VN_TMP/sc")
got = life("SYN_SENT at start", sc, sc["lport0"], P0 + 2, 20, 10)
snap = [e for e in got if e["type"] == "sock"]
ev.check([e["state"] for e in snap] == ["SYN_SENT"], "SYN_SENT at start: snapshot state (%s)" % [e["state"] for e in snap])
con = [e for e in got if e["type"] == "connected"]
ev.check(len(con) == 1, "SYN_SENT at start: one connected event (%d)" % len(con))
# 3
tc = read_kv("$VN_TMP/tc")
life("main thread gone", tc, tc["lport"], P0 + 1, 3000, 50)
ev.check(not [e for e in ev.all if "lport" in e and e["pid"] == 0 and e["type"] != "sock"],
         "no live event carries pid 0")
ev.done()
PY
vn_check "$VN_TMP/check.py"
echo PASS
