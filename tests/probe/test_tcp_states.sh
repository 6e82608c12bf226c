#!/bin/bash
# test_tcp_states.sh: live byte counts of an open connection (EV_BYTES
# growing while it runs) in both byte modes of the probe, and the full
# state sequence with VISNET_PROBE_STATES=all (every change reported, not
# only those that last until the next flush).
. "$(dirname "$0")/lib.sh"
vn_require
for mode in default all; do
   P=$((20000 + RANDOM % 12000))
   if [ $mode = all ]; then
      export VISNET_PROBE_STATES=all VISNET_PROBE_BYTES=trace
   fi
   vn_start
   $VN_APP server --port $P --reply 500 --out "$VN_TMP/s" &
   VN_PIDS+=($!)
   vn_wait_file "$VN_TMP/s.ready"
   # 5 writes of 1000 bytes 0.5 s apart, then 1000 more
   $VN_APP client --port $P --send 1000 --drip 5 --out "$VN_TMP/c" || vn_fail "client"
   vn_wait_file "$VN_TMP/s"
   vn_stop 1
   cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
mode, P = "$mode", $P
s = read_kv("$VN_TMP/s")
c = read_kv("$VN_TMP/c")
cl = ev.conn(pid=c["pid"], rport=P, lport=c["lport0"])
sv = ev.conn(pid=s["pid"], lport=P, rport=c["lport0"])
for tag, evs, key in (("client", cl, "tx"), ("server", sv, "rx")):
    live = [e[key] for e in evs if e["type"] == "bytes"]
    ev.check(len(live) >= 3 and live == sorted(live) and live[0] < 6000 and 0 < live[0],
             "%s %s: growing live %s counts before close (%s)" % (mode, tag, key, live))
    close = [e for e in evs if e["type"] == "close"]
    ev.check(close and close[0][key] == 6000, "%s %s: close %s 6000" % (mode, tag, key))
# the opening is written by a flush while the connection is open (not held
# until its close), stamped when it happened
for tag, evs, opening in (("client", cl, ["connect", "connected"]), ("server", sv, ["accept"])):
    types = [e["type"] for e in evs]
    nb = types.index("bytes") if "bytes" in types else len(types)
    ev.check(types[:len(opening)] == opening and len(opening) <= nb,
             "%s %s: %s reported while open, before its byte counts (%s)" % (mode, tag, opening, types))
    ts = [e["ts"] for e in evs[:len(opening)]] + [evs[nb]["ts"] if nb < len(evs) else 0]
    ev.check(ts == sorted(ts), "%s %s: opening stamped before the first byte count (%s)" % (mode, tag, ts))
if mode == "all":
    states = [e.get("state") for e in cl if e["type"] != "bytes"]
    ev.check(states == ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE"],
             "all: client state sequence (%s)" % states)
    states = [e.get("state") for e in sv if e["type"] != "bytes"]
    ev.check(states in (["ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"],),
             "all: server state sequence (%s)" % states)
    old = [e.get("oldstate") for e in cl if e["type"] == "state"]
    ev.check(old == ["ESTABLISHED", "FIN_WAIT1"], "all: client oldstates (%s)" % old)
ev.done()
PY
   vn_check "$VN_TMP/check.py"
   rm -f "$VN_TMP/s" "$VN_TMP/s.ready" "$VN_TMP/c"
done
echo PASS
