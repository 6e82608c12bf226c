#!/bin/bash
# test_burst.sh: 1000 connections in a burst on loopback: every connect,
# accept and close must be reported, with the right pids, none lost.
. "$(dirname "$0")/lib.sh"
vn_require
N=1000
P=$((20000 + RANDOM % 12000))
vn_start
$VN_APP server --port $P --reply 1 --count $N --out "$VN_TMP/s" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s.ready"
$VN_APP client --port $P --send 1 --count $N --out "$VN_TMP/c" || vn_fail "client"
vn_wait_file "$VN_TMP/s"
vn_stop 1

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
N, P = $N, $P
s = read_kv("$VN_TMP/s")
c = read_kv("$VN_TMP/c")
ports = set(c["lport%d" % i] for i in range(N))
ev.check(len(ports) == N, "client used %d distinct ports" % len(ports))
con = set(e["lport"] for e in ev.conn(type="connect", pid=c["pid"]) if e["rport"] == P)
est = set(e["lport"] for e in ev.conn(type="connected", pid=c["pid"]) if e["rport"] == P)
ccl = [e for e in ev.conn(type="close", pid=c["pid"]) if e["rport"] == P]
acc = set(e["rport"] for e in ev.conn(type="accept", pid=s["pid"]) if e["lport"] == P)
scl = [e for e in ev.conn(type="close", pid=s["pid"]) if e["lport"] == P and e["rport"] != 0]
ev.check(con == ports, "all %d connects by pid %d (%d seen)" % (N, c["pid"], len(con & ports)))
ev.check(est == ports, "all %d connected (%d)" % (N, len(est & ports)))
ev.check(acc == ports, "all %d accepts by pid %d (%d)" % (N, s["pid"], len(acc & ports)))
ev.check(len(ccl) == N and all(e["tx"] == 1 and e["rx"] == 1 for e in ccl),
         "all %d client closes with 1 byte each way (%d)" % (N, len(ccl)))
ev.check(len(scl) == N and all(e["tx"] == 1 and e["rx"] == 1 for e in scl),
         "all %d server closes with 1 byte each way (%d)" % (N, len(scl)))
ev.done()
PY
vn_check "$VN_TMP/check.py"
grep -qE '(^|[^0-9])0 lost' "$VN_ERR" || vn_fail "no lost-event count from the event source"
# "N events, 0 lost" (visnet and vn_probe_dump)
grep -qE '(^|[^0-9])[1-9][0-9]* lost' "$VN_ERR" && vn_fail "the event source reports lost events: $(grep -i lost "$VN_ERR")"
echo PASS
