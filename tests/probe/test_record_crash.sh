#!/bin/bash
# test_record_crash.sh: a recording survives what stops it.
#  1. kill -9 while recording: the log, flushed at every refresh tick,
#     replays every connection made before the kill (20 of 20).
#  2. --record-max: the recording stops before the size would be passed,
#     says so with its count, the run goes on, and the log replays exactly
#     that many events.
#  3. a full disk (a small tmpfs): the recording stops with one clear line,
#     the run goes on to its end (exit 1: the log is incomplete), and what
#     reached the disk replays.
. "$(dirname "$0")/lib.sh"
vn_require
LOAD=${VISNET_BUILD:-}/tests/bench_conn_load
[ -x "$LOAD" ] || vn_fail "bench_conn_load not built"

# 1. kill -9
REC=$VN_TMP/crash.evlog
P=$((20000 + RANDOM % 12000))
"$VISNET" --headless -d 2 --record "$REC" --duration 50 2>"$VN_TMP/crash.err" &
V=$!
VN_PIDS+=($V)
vn_wait_file "$REC"
sleep 1 # the probe is attached and the snapshot taken
$VN_APP server --port $P --reply 100 --count 20 --out "$VN_TMP/s" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s.ready"
$VN_APP client --port $P --send 200 --count 20 --out "$VN_TMP/c" || vn_fail "client"
vn_wait_file "$VN_TMP/s"
sleep 1 # five refresh ticks
kill -9 $V
wait $V 2>/dev/null
"$VISNET" --replay "$REC" --json --speed 0 >"$VN_TMP/crash.json" 2>"$VN_TMP/replay.err" ||
   vn_fail "replay after kill -9: $(cat "$VN_TMP/replay.err")"

# record_under_load ERRFILE ARGS...: a 3 s headless recording while a
# second of connection load runs; its exit status
record_under_load() {
   local err=$1
   shift
   "$VISNET" --headless --duration 3 "$@" 2>"$err" &
   local v=$!
   VN_PIDS+=($v)
   sleep 1
   timeout 10 "$LOAD" conn 1 >/dev/null
   wait $v
}

# 2. --record-max
record_under_load "$VN_TMP/max.err" --record "$VN_TMP/max.evlog" --record-max 64K
rc_max=$?
"$VISNET" --replay "$VN_TMP/max.evlog" --json --speed 0 >"$VN_TMP/max.json" 2>/dev/null ||
   vn_fail "replay of the --record-max log"

# 3. a full disk
mkdir "$VN_TMP/small"
mount -t tmpfs -o size=256k tmpfs "$VN_TMP/small" || vn_skip "cannot mount a tmpfs"
trap 'umount "$VN_TMP/small" 2>/dev/null; vn_cleanup' EXIT
record_under_load "$VN_TMP/full.err" --record "$VN_TMP/small/full.evlog"
rc_full=$?
"$VISNET" --replay "$VN_TMP/small/full.evlog" --json --speed 0 >"$VN_TMP/full.json" \
   2>"$VN_TMP/full.replay.err"
rc_full_replay=$?

cat >"$VN_TMP/check.py" <<PY
import re, sys
from evcheck import Events, read_kv
tmp = "$VN_TMP"
ev = Events(tmp + "/crash.json")
c, s = read_kv(tmp + "/c"), read_kv(tmp + "/s")
closes = [e for e in ev.conn(type="close", pid=c["pid"], rport=$P)]
accepts = [e for e in ev.conn(type="accept", pid=s["pid"], lport=$P)]
ev.check(len(closes) == 20 and all(e["tx"] == 200 and e["rx"] == 100 for e in closes),
         "after kill -9: 20 client closes, tx 200 rx 100 each (%d)" % len(closes))
ev.check(len(accepts) == 20, "after kill -9: 20 accepts (%d)" % len(accepts))
ev.check(ev.all[-1]["type"] == "bye" and ev.all[-1]["reason"] == "end of replay", "the replay ends")
err = open(tmp + "/max.err").read()
m = re.search(r"^visnet: recording to \S+ stopped after (\d+) events: --record-max 65536 bytes reached$",
              err, re.M)
ev.check(m is not None and $rc_max == 0, "--record-max: one line with the count, exit 0 (%s, rc $rc_max)" % err)
import os
size = os.path.getsize(tmp + "/max.evlog")
ev.check(60000 < size <= 65536, "--record-max 64K: the log is %d bytes, within the bound" % size)
mx = Events(tmp + "/max.json")
if m:
    ev.check(mx.all[-1].get("events") == int(m.group(1)),
             "--record-max: the log replays exactly the %s events it says" % m.group(1))
live = re.search(r"^visnet: eBPF live: (\d+) events", err, re.M)
ev.check(live and m and int(live.group(1)) > int(m.group(1)),
         "--record-max: the run went on (%s events in all)" % (live and live.group(1)))
err = open(tmp + "/full.err").read()
f = re.search(r"^visnet: recording to \S+ stopped after (\d+) events: No space left on device$", err, re.M)
ev.check(f is not None and $rc_full == 1, "full disk: one clear line, exit 1 (%s, rc $rc_full)" % err)
live = re.search(r"^visnet: eBPF live: (\d+) events", err, re.M)
ev.check(live and f and int(live.group(1)) > int(f.group(1)), "full disk: the run went on to its end")
fj = Events(tmp + "/full.json")
got = fj.all[-1].get("events", -1) if fj.all else -1
ev.check($rc_full_replay == 0 and f and 0 < got <= int(f.group(1)),
         "full disk: what reached the disk replays (%d events)" % got)
sys.exit(1 if ev.failures else 0)
PY
vn_check "$VN_TMP/check.py"
echo "PASS"
