#!/bin/bash
# test_slow_reader.sh: a reader of --json that falls behind (it sleeps 3 s
# while a connection load runs) never stalls the reading of the ring
# buffer: no event is lost in the kernel; the lines that did not fit the
# queue are dropped, said in "lost" lines when the reader catches up, and
# counted in the bye: the event lines written plus those dropped are
# exactly the events delivered.
. "$(dirname "$0")/lib.sh"
vn_require
LOAD=${VISNET_BUILD:-}/tests/bench_conn_load
[ -x "$LOAD" ] || vn_fail "bench_conn_load not built"
OUT=$VN_TMP/slow.json
( "$VISNET" --json -d 2 --duration 5 2>"$VN_ERR" | (sleep 3; cat >"$OUT") ) &
VN_PIDS+=($!)
sleep 1
timeout 10 "$LOAD" conn 2 >/dev/null || vn_fail "load"
wait
cat >"$VN_TMP/check.py" <<PY
import re, sys
from evcheck import Events
ev = Events("$OUT")
hello, bye = ev.all[0], ev.all[-1]
ev.check(hello["type"] == "hello" and bye["type"] == "bye" and bye["reason"] == "duration",
         "hello first, bye last (duration)")
lost = [o for o in ev.all if o["type"] == "lost"]
said = sum(o["lines"] for o in lost)
nev = len([o for o in ev.all if o["type"] not in ("hello", "bye", "lost", "ready")])
ev.check(bye["dropped"] > 0 and said == bye["dropped"] and lost and lost[-1]["dropped"] == said,
         "lost lines say %d dropped lines, the bye %d" % (said, bye["dropped"]))
ev.check(nev + bye["dropped"] == bye["events"],
         "%d event lines + %d dropped = %d events delivered" % (nev, bye["dropped"], bye["events"]))
ev.check(bye["lost"] == 0, "no event lost in the kernel (%d)" % bye["lost"])
err = open("$VN_ERR").read()
m = re.search(r", (\d+) lines dropped \(slow reader\)", err)
ev.check(m is not None and int(m.group(1)) == bye["dropped"], "the summary says so too: %s" % err.strip())
sys.exit(1 if ev.failures else 0)
PY
vn_check "$VN_TMP/check.py"
echo "PASS"
