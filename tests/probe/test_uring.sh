#!/bin/bash
# test_uring.sh: a connection made, accepted, sent and received through
# io_uring (IORING_OP_CONNECT, ACCEPT, SEND, RECV, READ, WRITE, SHUTDOWN,
# CLOSE), between
# two network namespaces: both ends are attributed to the process that owns
# the ring, with their exact bytes, and the server's end is an accepted one.
. "$(dirname "$0")/lib.sh"
vn_require
vn_lifeapp
vn_netns_pair vnp-ur 15
A=vnp-ur-a B=vnp-ur-b
vn_start
ip netns exec $A "$LIFE" uring-server 10.200.15.1 5504 7000 "$VN_TMP/s" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s.ready"
ip netns exec $B "$LIFE" uring-client 10.200.15.1 5504 12345 "$VN_TMP/c" || vn_fail "uring client"
vn_wait_file "$VN_TMP/s"
vn_stop 1.5

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
s, c = read_kv("$VN_TMP/s"), read_kv("$VN_TMP/c")
cli = ev.conn(lport=c["lport"], rport=5504)
ev.check([e["type"] for e in cli if e["type"] in ("connect", "connected")] == ["connect", "connected"],
         "client: connect and connected (%s)" % [e["type"] for e in cli])
ev.check(not [e for e in cli if e["pid"] != c["pid"]], "client: every event carries the ring's owner %d (%s)"
         % (c["pid"], sorted(set(e["pid"] for e in cli))))
cl = [e for e in cli if e["type"] == "close"]
ev.check([(e["tx"], e["rx"]) for e in cl] == [(12345, 7000)], "client: close tx 12345 rx 7000 (%s)"
         % [(e["tx"], e["rx"]) for e in cl])
srv = ev.conn(lport=5504, rport=c["lport"])
ev.check(srv != [] and not [e for e in srv if e["pid"] != s["pid"]],
         "server: every event carries the ring's owner %d (%s)" % (s["pid"], sorted(set(e["pid"] for e in srv))))
ev.check([(e["type"], e["dir"], e["old_pid"]) for e in srv if e["type"] == "owner"] == [("owner", "in", 0)],
         "server: first seen in use, as accepted (%s)" % [(e["type"], e["dir"]) for e in srv])
cl = [e for e in srv if e["type"] == "close"]
ev.check([(e["tx"], e["rx"]) for e in cl] == [(7000, 12345)], "server: close tx 7000 rx 12345 (%s)"
         % [(e["tx"], e["rx"]) for e in cl])
ev.check(s["rx"] == 12345 and c["rx"] == 7000, "the programs moved what they meant to")
ev.done()
PY
vn_check "$VN_TMP/check.py"
echo PASS
