#!/bin/bash
# test_no_addresses.sh: no kernel address reaches any output. A live run
# writes --json and --record while a connection is open; --once, --once
# --json and --dot run beside it; the recording is replayed as JSON and
# searched byte by byte; an old log, whose sk are addresses, is replayed
# with them replaced. Sockets keep one id over their life and in the log.
. "$(dirname "$0")/lib.sh"
vn_require
REC=$VN_TMP/rec.evlog
VN_CMD+=(--record "$REC")
P=$((20000 + RANDOM % 12000))
vn_start
$VN_APP server --port $P --reply 700 --out "$VN_TMP/s" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s.ready"
$VN_APP client --port $P --send 1000 --drip 4 --out "$VN_TMP/c" &
VN_PIDS+=($!)
sleep 0.7 # the connection is open (4 writes, 0.5 s apart)
COLUMNS=200 "$VISNET" --once >"$VN_TMP/once.txt" 2>"$VN_TMP/once.err" || vn_fail "--once failed"
"$VISNET" --once --json >"$VN_TMP/once.json" 2>>"$VN_TMP/once.err" || vn_fail "--once --json failed"
"$VISNET" --once --dot >"$VN_TMP/once.dot" 2>>"$VN_TMP/once.err" || vn_fail "--once --dot failed"
vn_wait_file "$VN_TMP/c"
vn_wait_file "$VN_TMP/s"
vn_stop 1
"$VISNET" --replay "$REC" --json --speed 0 >"$VN_TMP/replay.json" 2>"$VN_TMP/replay.err" ||
   vn_fail "replay of the recording failed: $(cat "$VN_TMP/replay.err")"
"$VISNET" --replay "$VISNET_TESTS/data/sample.evlog" --json --speed 0 >"$VN_TMP/old.json" \
   2>"$VN_TMP/old.err" || vn_fail "replay of the old sample failed"
cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv, kernel_addresses, evlog_sk, document_errors
ev = Events(sys.argv[1])
tmp, P = "$VN_TMP", $P
c = read_kv(tmp + "/c")
for name in ("once.txt", "once.json", "once.dot", "replay.json", "old.json"):
    text = open(tmp + "/" + name, errors="replace").read()
    ev.check(text.strip() != "" and kernel_addresses(text) == [],
             "%s: written, no kernel address (%s)" % (name, kernel_addresses(text)[:3]))
ev.check(document_errors(tmp + "/once.json") == [], "once.json follows the schema's document")
flags, sks = evlog_sk(open("$REC", "rb").read())
ev.check(flags & 1 == 1 and len(sks) > 0 and all(sk < 2**63 for sk in sks),
         "the event log says its sk are ids (flags %d) and holds %d of them, all below 2^63"
         % (flags, len(sks)))
# one id for the client's socket over its life, the same in the recording
cl = ev.conn(pid=c["pid"], rport=P, lport=c["lport0"])
ids = set(e["sk"] for e in cl)
ev.check([e["type"] for e in cl][:2] == ["connect", "connected"] and cl[-1]["type"] == "close"
         and cl[-1]["tx"] == 5000 and len(ids) == 1 and "0x0" not in ids,
         "client socket: connect..close, tx 5000, one id %s" % ids)
rp = Events(tmp + "/replay.json")
rcl = rp.conn(pid=c["pid"], rport=P, lport=c["lport0"])
ev.check(len(rcl) == len(cl) and set(e["sk"] for e in rcl) == ids,
         "replayed recording: the same %d events with the same id" % len(cl))
# the old log: addresses 0xffff888004000000 + 0x800 k became ids, one each
oflags, osks = evlog_sk(open("$VISNET_TESTS/data/sample.evlog", "rb").read())
ev.check(oflags == 0 and 0xffff888004000000 in osks, "the old log holds addresses, unflagged")
old = Events(tmp + "/old.json")
socks = [e for e in old.all if "sk" in e and e["sk"] != "0x0"]
byino = {}
for e in socks:
    byino.setdefault(e["ino"], set()).add(e["sk"]) if e.get("ino") else None
ev.check(len(socks) > 20 and all(int(e["sk"], 16) < 2**63 for e in socks)
         and all(len(v) == 1 for v in byino.values()),
         "old log: %d socket events, ids below 2^63, one per socket" % len(socks))
sys.exit(1 if ev.failures else 0)
PY
vn_check "$VN_TMP/check.py"
echo "PASS"
