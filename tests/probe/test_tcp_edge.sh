#!/bin/bash
# test_tcp_edge.sh: the awkward cases of TCP attribution on loopback:
# a process that connects and exits within milliseconds, a connect from a
# non-main thread, a refused connection, a connect that fails before any
# packet (no route, in a namespace with only lo), and a forking server
# (socat fork) whose accept() runs in the parent.
. "$(dirname "$0")/lib.sh"
vn_require socat
P0=$((20000 + RANDOM % 12000))
vn_start

# 1. connect and exit at once (bash's /dev/tcp)
$VN_APP server --port $P0 --reply 0 --out "$VN_TMP/s1" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s1.ready"
bash -c "echo \$\$ >'$VN_TMP/quick.pid'; exec 3<>/dev/tcp/127.0.0.1/$P0; exit 0" ||
   vn_fail "quick client"
vn_wait_file "$VN_TMP/s1"

# 2. connect from a second thread
$VN_APP server --port $((P0 + 1)) --reply 100 --out "$VN_TMP/s2" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s2.ready"
$VN_APP client --port $((P0 + 1)) --send 10 --thread --out "$VN_TMP/c2" || vn_fail "thread client"

# 3. refused
$VN_APP refused --port $((P0 + 2)) --out "$VN_TMP/c3" || vn_fail "refused client"

# 3b. no route: fails in connect() itself, before SYN_SENT
ip netns add vnp-edge-x || vn_fail "ip netns add"
VN_NETNS+=(vnp-edge-x)
ip -n vnp-edge-x link set lo up
ip netns exec vnp-edge-x $VN_APP refused --addr 10.99.99.1 --port 80 --out "$VN_TMP/c3b" ||
   vn_fail "unreachable client"

# 4. forking server
socat TCP-LISTEN:$((P0 + 3)),bind=127.0.0.1,fork,reuseaddr SYSTEM:"head -c 500 /dev/zero" &
SOCAT=$!
VN_PIDS+=($SOCAT)
for _ in $(seq 100); do
   ss -Hltn "sport = :$((P0 + 3))" | grep -q . && break
   sleep 0.1
done
for i in 1 2; do
   $VN_APP client --port $((P0 + 3)) --send 0 --out "$VN_TMP/c4.$i" || vn_fail "socat client $i"
done
vn_stop 1

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
P0 = $P0

# 1
qpid = int(open("$VN_TMP/quick.pid").read())
s = read_kv("$VN_TMP/s1")
cl = ev.conn(pid=qpid, rport=P0)
ev.check([e["type"] for e in cl][:2] == ["connect", "connected"], "quick: connect and connected by pid %d" % qpid)
ev.check(cl and cl[0]["lport"] == s["peer0_port"], "quick: client port as the server saw it")
ev.check(len(ev.find(type="exit", pid=qpid)) == 1, "quick: its exit is reported")
ev.check(any(e["type"] == "close" for e in cl), "quick: the close is still attributed to it")
ev.check(ev.comm_of(qpid) == "bash", "quick: comm bash")
sv = ev.conn(type="accept", pid=s["pid"], lport=P0)
ev.check(len(sv) == 1 and sv[0]["rport"] == s["peer0_port"], "quick: accept by the server")

# 2
c = read_kv("$VN_TMP/c2")
cl = ev.conn(pid=c["pid"], rport=P0 + 1)
ev.check(c["tid0"] != c["pid"], "thread: the client connected from a second thread")
ev.check(cl and all(e["tid"] == c["tid0"] and e.get("thread") is True
                    for e in cl if e["type"] == "connect"),
         "thread: connect has pid %d (thread group), tid %d, thread flag" % (c["pid"], c["tid0"]))
close = [e for e in cl if e["type"] == "close"]
ev.check(close and close[0]["tx"] == 10 and close[0]["rx"] == 100, "thread: bytes 10/100")

# 3
c = read_kv("$VN_TMP/c3")
ev.check(c["errno"] == 111, "refused: the client got ECONNREFUSED")
fail = ev.conn(type="connect_fail", pid=c["pid"], rport=P0 + 2)
ev.check(len(fail) == 1 and fail[0].get("err") == 111 and fail[0].get("errno_name") == "ECONNREFUSED",
         "refused: one connect_fail, err 111 ECONNREFUSED (%s)" % fail)
ev.check(len(ev.conn(type="connect", pid=c["pid"], rport=P0 + 2)) == 1, "refused: one connect")

# 3b
c = read_kv("$VN_TMP/c3b")
ev.check(c["errno"] == 101, "no route: the client got ENETUNREACH")
fail = ev.conn(type="connect_fail", pid=c["pid"])
ev.check(len(fail) == 1 and fail[0].get("err") == 101 and fail[0]["raddr"] == "10.99.99.1"
         and fail[0]["rport"] == 80, "no route: one connect_fail to 10.99.99.1:80, err 101 (%s)" % fail)
ev.check(len(ev.conn(type="connect", pid=c["pid"])) == 1, "no route: one connect")

# 4
for i in (1, 2):
    c = read_kv("$VN_TMP/c4.%d" % i)
    ev.check(c["rx0"] == 500, "fork %d: client got 500 bytes" % i)
    acc = ev.conn(type="accept", lport=P0 + 3, rport=c["lport0"])
    ev.check(len(acc) == 1 and acc[0]["pid"] == $SOCAT,
             "fork %d: accept by the socat parent %d (%s)" % (i, $SOCAT, [e["pid"] for e in acc]))
    close = ev.conn(type="close", lport=P0 + 3, rport=c["lport0"])
    ev.check(len(close) == 1 and close[0]["tx"] == 500, "fork %d: server side closed, 500 bytes sent" % i)
    cl = ev.conn(type="connect", pid=c["pid"], rport=P0 + 3, lport=c["lport0"])
    ev.check(len(cl) == 1, "fork %d: client connect" % i)
ev.check(ev.comm_of($SOCAT) == "socat", "fork: comm socat")
forks = ev.find(type="fork", pid=$SOCAT)
ev.check(len(forks) >= 2, "fork: the server's forks are reported (%d)" % len(forks))
ev.done()
PY
vn_check "$VN_TMP/check.py"
echo PASS
