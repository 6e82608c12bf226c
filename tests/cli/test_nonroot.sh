#!/usr/bin/env bash
# A start without root: one line says why there is no eBPF, and visnet runs
# on snapshots instead; --once says what it could not see.
set -u
. "$VISNET_TESTS/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
   user=$(id -un)
   run() { "$@"; }
else
   user=visnet-test
   id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user" ||
      fail "cannot create user $user"
   run() { runuser -u "$user" -- "$@"; }
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# A listener of our own, so the unprivileged run has a socket it owns.
run python3 -c 'import os,socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], os.getpid(), flush=True); time.sleep(30)' >"$tmp/port" &
trap 'kill $(cut -d" " -f2 "$tmp/port") 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
read -r port lpid <"$tmp/port"
[ -n "$port" ] || fail "listener did not start"

rc=0
run timeout 20 "$VISNET" --headless --duration 1 >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 0 ] || fail "--headless as $user: exit $rc: $(cat "$tmp/err")"
grep -qE "^visnet: no eBPF \(.*root.*\): polling, short-lived connections may be missed$" "$tmp/err" ||
   fail "no one-line reason for the fallback: $(cat "$tmp/err")"
grep -qE "^visnet: snapshot polling: [0-9]+ events" "$tmp/err" || fail "not polling: $(cat "$tmp/err")"

# The UI without a terminal says so before it tries anything else (no
# fallback note first: the probe is not even tried).
rc=0
run timeout 20 "$VISNET" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && [ "$(grep -c . "$tmp/err")" -eq 1 ] && grep -q "needs a terminal" "$tmp/err" ||
   fail "the UI without a terminal, as $user: exit $rc, $(cat "$tmp/err")"

run timeout 20 "$VISNET" --once --json >"$tmp/once.json" 2>"$tmp/once.err" || fail "--once --json as $user failed"
check_document "$tmp/once.json"
python3 - "$tmp/once.json" "$port" "$lpid" <<'PY' || fail "--once --json as $user: our listener is missing or unowned"
import json, sys
doc = json.load(open(sys.argv[1]))
port, pid = int(sys.argv[2]), int(sys.argv[3])
def procs(ps):
    for p in ps:
        yield p
        yield from procs(p.get("children", []))
for p in procs(doc["processes"]):
    for l in p.get("listening", []):
        if l["lport"] == port:
            sys.exit(0 if p["pid"] == pid else 1)
sys.exit(1)
PY
if [ "$(id -u)" -eq 0 ]; then
   grep -q "not readable (run as root" "$tmp/once.err" || fail "--once does not say what it could not see"
fi
pass
