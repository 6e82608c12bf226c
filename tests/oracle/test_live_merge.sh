#!/bin/bash
# test_live_merge.sh: the live source's snapshot + probe merge, seen in
# `visnet --json --duration N` while connections open and close throughout.
#
#  - connections already open when visnet starts come from the snapshot:
#    exactly one "sock" event per side, with the right pid, and no close;
#  - connections opened and closed while visnet runs (well inside the run)
#    each have an opening event and exactly one close per side, with the
#    churning process's pid and the 100 bytes sent;
#  - nothing is doubled: a held connection has no connect/accept event.
set -u
. "${VISNET_TESTS:?}/lib.sh"
require_root_bpf
command -v python3 >/dev/null || skip "python3 not installed"
HERE=$VISNET_TESTS/oracle
DIR=$(mktemp -d /tmp/visnet-merge.XXXXXX)
CHURN=
cleanup() {
   [ -n "$CHURN" ] && kill "$CHURN" 2>/dev/null
   wait 2>/dev/null
   rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

P=$((32000 + ($$ * 11) % 700))
python3 "$HERE/oracle_churn.py" $P 3 7 "$DIR/churn.log" 2>"$DIR/churn.err" &
CHURN=$!
sleep 1
timeout 30 "$VISNET" --json --duration 4 >"$DIR/events.json" 2>"$DIR/visnet.err" ||
   fail "visnet --json --duration 4 failed: $(tail -3 "$DIR/visnet.err")"
check_stream "$DIR/events.json"
for _ in $(seq 1 100); do
   grep -q '^done' "$DIR/churn.log" 2>/dev/null && break
   sleep 0.1
done
grep -q '^done' "$DIR/churn.log" || fail "churn did not finish: $(cat "$DIR/churn.err")"
# (a fallback to polling would show up below as missing connect/accept events)

python3 - "$DIR/events.json" "$DIR/churn.log" $P "$CHURN" <<'PY' || fail "merge check failed"
import json, sys
from collections import defaultdict
evpath, logpath, port, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
events = []
for line in open(evpath):
    try:
        events.append(json.loads(line))
    except ValueError:
        sys.exit(f"not JSON: {line[:80]}")
if not events:
    sys.exit("no events")
t_start = min(e["ts"] for e in events)
t_end = max(e["ts"] for e in events)
by = defaultdict(list)   # (lport, rport) -> events, for our port
for e in events:
    if "lport" in e and (e["lport"] == port or e["rport"] == port):
        by[(e["lport"], e["rport"])].append(e)
held, churn = [], []
for line in open(logpath):
    f = line.split()
    if f[0] == "held":
        held.append(int(f[1]))
    elif f[0] == "churn":
        churn.append((int(f[1]), int(f[2]), int(f[3])))
errors = []
def types(k):
    return [e["type"] for e in by.get(k, [])]
for lp in held:
    for k in ((lp, port), (port, lp)):
        t = types(k)
        if t.count("sock") != 1:
            errors.append(f"held {k}: {t.count('sock')} snapshot events, want 1 ({t})")
        if "close" in t or "connect" in t or "connected" in t or "accept" in t:
            errors.append(f"held {k}: unexpected {t}")
        for e in by.get(k, []):
            if e["type"] == "sock" and e["pid"] != pid:
                errors.append(f"held {k}: pid {e['pid']}, want {pid}")
checked = 0
margin = 300_000_000
for lp, t0, t1 in churn:
    if t0 < t_start + margin or t1 > t_end - margin:
        continue
    checked += 1
    cli, srv = (lp, port), (port, lp)
    tc, ts = types(cli), types(srv)
    if not ({"connect", "connected"} & set(tc)):
        errors.append(f"churn {cli}: no connect event ({tc})")
    if "accept" not in ts:
        errors.append(f"churn {srv}: no accept event ({ts})")
    for k, t in ((cli, tc), (srv, ts)):
        if t.count("close") != 1:
            errors.append(f"churn {k}: {t.count('close')} close events, want 1 ({t})")
        for e in by.get(k, []):
            if e["pid"] != pid:
                errors.append(f"churn {k}: {e['type']} with pid {e['pid']}, want {pid}")
            if e["type"] == "close" and k == cli and e.get("tx") != 100:
                errors.append(f"churn {k}: close tx {e.get('tx')}, want 100")
print(f"{len(held)} held connections, {checked} churned connections checked "
      f"(of {len(churn)}), {len(errors)} errors")
for m in errors[:20]:
    print("  " + m)
sys.exit(1 if errors or checked < 5 else 0)
PY
pass
