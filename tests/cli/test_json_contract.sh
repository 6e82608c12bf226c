#!/usr/bin/env bash
# The --json contract (docs/JSON.md, docs/visnet.schema.json): a replay of
# the sample log is a hello, 53 event lines and a bye, each valid against
# the schema, each with its version, time and (for a socket event) its
# process; and every field of the committed example stream
# (tests/data/sample.jsonl) is still there with the same value: fields are
# added, never renamed or removed.
set -u
. "$VISNET_TESTS/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$VISNET" --replay "$VISNET_TESTS/data/sample.evlog" --json --speed 0 >"$tmp/out.json" \
   2>"$tmp/err" || fail "replay --json failed: $(cat "$tmp/err")"
python3 "$VISNET_TESTS/cli/json_normalize.py" <"$tmp/out.json" >"$tmp/norm.json" ||
   fail "the stream is not JSON Lines"
PYTHONPATH="$VISNET_TESTS/probe" python3 - "$tmp/out.json" "$tmp/norm.json" \
   "$VISNET_TESTS/data/sample.jsonl" "$VISNET_TESTS/../docs/visnet.schema.json" <<'PY' ||
import calendar, json, sys, time
from evcheck import Events, _jsonschema
ev = Events(sys.argv[1])  # every line checked against the schema here
_jsonschema().Draft7Validator.check_schema(json.load(open(sys.argv[4])))
lines = ev.all
ev.check(len(lines) == 55, "55 lines (%d)" % len(lines))
hello, bye = lines[0], lines[-1]
ev.check(hello["type"] == "hello" and hello["host"] == "sample-host" and hello["mode"] == "replay"
         and hello["schema"] == 1, "first line: hello from sample-host, replay, schema 1")
ev.check(bye["type"] == "bye" and bye["events"] == 53 and bye["lost"] == 0 and bye["dropped"] == 0
         and bye["reason"] == "end of replay", "last line: bye, 53 events, 0 lost, end of replay")
ev.check(all(o["v"] == 1 and "ts" in o and "time" in o for o in lines), "every line: v 1, ts, time")
boot = calendar.timegm(time.strptime("2025-11-24T16:00:00", "%Y-%m-%dT%H:%M:%S"))
def wall(ts):
    s = boot + ts // 10**9
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%06dZ" % (ts % 10**9 // 1000)
evs = lines[1:-1]
ev.check(hello["boot_time"] == "2025-11-24T16:00:00.000000Z"
         and all(o["time"] == wall(o["ts"]) for o in evs), "event times are the boot time + ts")
comm = {}
for o in evs:
    if o["type"] in ("exec", "proc"):
        comm[o["pid"]] = o["comm"]
owned = [o for o in evs if "lport" in o and o["pid"]]
ev.check(len(owned) > 20 and all(o.get("comm") == comm.get(o["pid"]) and "user" in o and "uid" in o
                                 for o in owned),
         "%d socket events name their process (comm, uid, user)" % len(owned))
new = [json.loads(l) for l in open(sys.argv[2])]
old = [json.loads(l) for l in open(sys.argv[3])]
lost = [(i, k) for i, o in enumerate(old) for k in o
        if i >= len(new) or new[i].get(k, "<missing>") != o[k]]
ev.check(len(new) == len(old) and not lost,
         "the committed example's fields are all there, same values (%s)" % lost[:5])
sys.exit(1 if ev.failures else 0)
PY
   fail "the JSON contract is broken"

# docs/JSON.md's recipe: new connections per minute
command -v jq >/dev/null || fail "jq is not installed"
jq -r 'select(.type == "connected" or .type == "accept") | .time[:16]' "$tmp/out.json" | uniq -c |
   awk '{ print $1, $2 }' >"$tmp/per-minute"
want=$(grep -cE '"type":"(connected|accept)"' "$VISNET_TESTS/data/sample.jsonl")
[ "$(cat "$tmp/per-minute")" = "$want 2025-11-24T16:16" ] ||
   fail "connections per minute: $(cat "$tmp/per-minute"), want $want 2025-11-24T16:16"

# --json --filter: only the lines of what matches, the others counted
"$VISNET" --replay "$VISNET_TESTS/data/sample.evlog" --json --speed 0 --filter curl \
   >"$tmp/curl.json" 2>"$tmp/err" || fail "--json --filter failed: $(cat "$tmp/err")"
PYTHONPATH="$VISNET_TESTS/probe" python3 - "$tmp/curl.json" <<'PY' || fail "--json --filter"
import sys
from evcheck import Events
ev = Events(sys.argv[1])
lines = ev.all[1:-1]
bye = ev.all[-1]
ev.check(len(lines) > 5 and all(o.get("comm") == "curl" for o in lines),
         "%d lines, every one of curl" % len(lines))
ev.check(len(lines) + bye["filtered"] == bye["events"] == 53,
         "%d lines + %d filtered = 53 events" % (len(lines), bye["filtered"]))
sys.exit(1 if ev.failures else 0)
PY
pass
