#!/bin/bash
# test_json_line.sh: a live --json stream as docs/JSON.md describes it: a
# hello that names this boot, event lines that stand alone (the process's
# comm, uid and user, its systemd unit from the cgroup, the wall-clock
# time), a ready line after the start-up snapshot, and a bye whose count
# is the number of event lines. The client
# runs in a cgroup of its own, made here, named like a systemd scope.
. "$(dirname "$0")/lib.sh"
vn_require
CGROOT=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$CGROOT" ] || vn_skip "no cgroup2 mount"
UNIT=vn-test-$$.scope
CG=$CGROOT/$UNIT
mkdir "$CG" || vn_fail "cannot make the cgroup $CG"
trap 'rmdir "$CG" 2>/dev/null; vn_cleanup' EXIT
CGID=$(stat -c %i "$CG")
P=$((20000 + RANDOM % 12000))
vn_start
$VN_APP server --port $P --reply 300 --out "$VN_TMP/s" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s.ready"
bash -c "echo \$\$ >'$CG/cgroup.procs' && exec $VN_APP client --port $P --send 1200 --out '$VN_TMP/c'" ||
   vn_fail "client in $UNIT"
vn_wait_file "$VN_TMP/s"
vn_stop 1
cat >"$VN_TMP/check.py" <<PY
import calendar, os, socket, sys, time
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
c = read_kv("$VN_TMP/c")
hello, bye = ev.all[0], ev.all[-1]
boot_id = open("/proc/sys/kernel/random/boot_id").read().strip()
ev.check(hello["type"] == "hello" and hello["mode"] == "live" and hello["boot_id"] == boot_id
         and hello["kernel"] == os.uname().release and hello["host"] == socket.gethostname(),
         "hello: live, this boot, kernel, host")
ready = [i for i, o in enumerate(ev.all) if o["type"] == "ready"]
n = len(ev.all) - 2 - len(ready)
ev.check(bye["type"] == "bye" and bye["reason"] == "signal" and bye["events"] == n and bye["lost"] == 0,
         "bye: signal, %d events = the event lines (%s)" % (n, bye))
# one ready line, after the start-up snapshot: its count is the events before it
ev.check(len(ready) == 1 and ev.all[ready[0]]["events"] == ready[0] - 1
         and all(o["type"] in ("proc", "sock") for o in ev.all[1:ready[0]]),
         "one ready line (at %s), after the %s snapshot lines" % (ready, ready[0] - 1 if ready else "?"))
boot = hello["boot_time"]
b = calendar.timegm(time.strptime(boot[:19], "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(boot[20:26]) * 1000
def ns(t):
    return calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(t[20:26]) * 1000
# boot_time is cut to microseconds: an event's time is within 1 us of it + ts
off = [abs(ns(o["time"]) - (b + o["ts"])) for o in ev.all[1:-1]]
ev.check(max(off) <= 1000, "every event's time is boot_time + ts (largest gap %d ns)" % max(off))
cl = ev.conn(pid=c["pid"], rport=$P, lport=c["lport0"])
ev.check([o["type"] for o in cl] == ["connect", "connected", "close"], "client: connect, connected, close")
ev.check(all(o.get("comm") == "python3" and o.get("uid") == 0 and o.get("user") == "root"
             and o.get("unit") == "$UNIT" and o.get("cgroup") == $CGID for o in cl),
         "client lines: comm python3, uid 0, user root, unit $UNIT, cgroup $CGID (%s)"
         % [(o.get("comm"), o.get("user"), o.get("unit"), o.get("cgroup")) for o in cl])
ev.check(cl and cl[-1]["tx"] == 1200 and cl[-1]["rx"] == 300, "client close: tx 1200, rx 300")
sys.exit(1 if ev.failures else 0)
PY
vn_check "$VN_TMP/check.py"
echo "PASS"
