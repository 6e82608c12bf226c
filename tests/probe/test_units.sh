#!/bin/bash
# Names people read (root): a listener in a cgroup named like a systemd
# unit (vnunit-PID.service) is found by unit:, and by port: with its
# service name; --once shows ports by name, -n by number; a bad unit: glob
# matches nothing rather than failing.
. "$(dirname "$0")/lib.sh"
vn_require
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CG" ] && [ -e "$CG/cgroup.procs" ] || vn_skip "no cgroup v2 mounted"
UNIT=vnunit-$$.service
mkdir "$CG/$UNIT" || vn_fail "mkdir $CG/$UNIT"
units_cleanup() {
   for p in $(cat "$CG/$UNIT/cgroup.procs" 2>/dev/null); do kill "$p"; done
   vn_cleanup
   sleep 0.2
   rmdir "$CG/$UNIT" 2>/dev/null
}
trap units_cleanup EXIT
ADDR=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))

# two listeners of ours: one in the unit on port 8080 ("http-alt" in
# /etc/services), one outside it on 8081
python3 - "$ADDR" "$CG/$UNIT/cgroup.procs" <<'PY' &
import os, socket, sys, time
open(sys.argv[2], "w").write(str(os.getpid()))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8080)); s.listen(4)
time.sleep(30)
PY
in_unit=$!
VN_PIDS+=("$in_unit")
python3 - "$ADDR" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8081)); s.listen(4)
time.sleep(30)
PY
outside=$!
VN_PIDS+=("$outside")
for _ in $(seq 50); do
   [ "$(ss -ltnH "src $ADDR" | wc -l)" = 2 ] && grep -q "$in_unit" "$CG/$UNIT/cgroup.procs" && break
   sleep 0.1
done

"$VISNET" --once --filter "unit:$UNIT" >"$VN_TMP/unit.txt" 2>"$VN_ERR" || vn_fail "--once --filter unit: exit $?"
grep -q "python3($in_unit)" "$VN_TMP/unit.txt" || vn_fail "unit:$UNIT lost the listener in it: $(cat "$VN_TMP/unit.txt")"
grep -q "python3($outside)" "$VN_TMP/unit.txt" && vn_fail "unit:$UNIT kept the listener outside it"
grep -qF "tcp LISTEN $ADDR:http-alt" "$VN_TMP/unit.txt" || vn_fail "port 8080 not shown as http-alt: $(grep -F "$ADDR" "$VN_TMP/unit.txt")"
# (it, and its ancestors for context: as many as this test's own)
tail -n 1 "$VN_TMP/unit.txt" | grep -qx '1 process shown with [0-9]* ancestors*, 1 connection matches the filter (1 active, 0 closed)' ||
   vn_fail "unit: count: $(tail -n 1 "$VN_TMP/unit.txt")"
"$VISNET" --once -n --filter "unit:vnunit-$$.*" >"$VN_TMP/num.txt" || vn_fail "--once -n: exit $?"
grep -qF "tcp LISTEN $ADDR:8080" "$VN_TMP/num.txt" || vn_fail "-n: port 8080 not a number: $(grep -F "$ADDR" "$VN_TMP/num.txt")"
"$VISNET" --once --filter "port:http-alt ip:$ADDR" >"$VN_TMP/svc.txt" || vn_fail "port:http-alt: exit $?"
grep -q "python3($in_unit)" "$VN_TMP/svc.txt" && ! grep -q "python3($outside)" "$VN_TMP/svc.txt" ||
   vn_fail "port:http-alt ip:$ADDR: $(cat "$VN_TMP/svc.txt")"
"$VISNET" --once --filter "unit:no-such-unit-$$" >"$VN_TMP/none.txt" || vn_fail "an unknown unit: exit $?"
[ "$(tail -n 1 "$VN_TMP/none.txt")" = "0 processes shown, 0 connections match the filter (0 active, 0 closed)" ] ||
   vn_fail "an unknown unit: $(tail -n 1 "$VN_TMP/none.txt")"
echo "ok   unit:$UNIT finds its listener only; port 8080 shown as http-alt, -n as 8080; port:http-alt filters"

# the details pane of the TUI names the unit
. "$VISNET_TESTS/tui/tuilib.sh"
trap 'tui_cleanup; units_cleanup' EXIT
TUI_PORT_NAMES=1 tui_start -x 160 -y 40 --filter "pid:$in_unit" -d 5
wait_for "python3" 15
keys G Enter # the last row: its listening socket, whose details name its process
wait_for "unit +$UNIT" 5
keys Escape q
wait_for 'EXITED:0'
echo PASS
