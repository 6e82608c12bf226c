#!/bin/bash
# test_probe_errors.sh: the loader's failures and fallbacks, through the
# probe's own driver (vn_probe_dump): one precise line when not root, when
# capabilities are missing, when tracefs is not mounted and cannot be;
# tracefs mounted by the loader when it can; a missing tracepoint disables
# its feature only; and the running probe needs no capability at all.
. "$(dirname "$0")/lib.sh"
vn_require setpriv unshare
DUMP=${VISNET_BUILD:-}/bpf/vn_probe_dump
[ -x "$DUMP" ] || vn_fail "vn_probe_dump not built at $DUMP"
fails=0
expect() { # expect NAME WANT-RC PATTERN FILE
   if [ "$2" != "$RC" ] || ! grep -q -- "$3" "$4"; then
      echo "FAIL $1: status $RC (want $2), output:"; cat "$4"; fails=$((fails + 1))
   else
      echo "ok   $1"
   fi
}
E=$VN_TMP/err

setpriv --reuid 65534 --regid 65534 --clear-groups "$DUMP" --duration 1 >/dev/null 2>"$E"; RC=$?
expect "not root" 1 "needs root (or CAP_BPF and CAP_PERFMON)" "$E"
[ "$(wc -l <"$E")" = 1 ] || { echo "FAIL not root: more than one line"; fails=$((fails + 1)); }

setpriv --bounding-set -bpf,-perfmon,-sys_admin "$DUMP" --duration 1 >/dev/null 2>"$E"; RC=$?
expect "root without CAP_BPF" 1 "without CAP_BPF and CAP_PERFMON" "$E"

# private mount namespaces: the host's tracefs is not touched
unshare -m sh -c "umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null;
   setpriv --bounding-set -sys_admin '$DUMP' --duration 1" >/dev/null 2>"$E"; RC=$?
expect "tracefs not mountable" 1 "run 'mount -t tracefs nodev /sys/kernel/tracing'" "$E"

# the marker runs once the probe says it is ready (bounded wait), not after a
# guessed delay: loading takes longer on a busy machine
READY="for i in \$(seq 100); do grep -qs ready '$E' && break; sleep 0.1; done"
rm -f "$E" # the probe's stderr goes there: no stale "ready" from a previous step
unshare -m sh -c "umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null;
   '$DUMP' --duration 3 2>'$E' & $READY; /bin/true vn-mounted-marker; wait" >"$VN_TMP/m.json"; RC=$?
expect "tracefs mounted by the loader" 0 "ready" "$E"
grep -q vn-mounted-marker "$VN_TMP/m.json" || { echo "FAIL tracefs mounted: no events"; fails=$((fails + 1)); }

rm -f "$E"
unshare -m sh -c "mount -t tmpfs none /sys/kernel/tracing/events/task &&
   '$DUMP' --duration 3 2>'$E' & $READY; sh -c '/bin/true vn-notask-marker'; wait" \
   >"$VN_TMP/t.json"; RC=$?
expect "missing tracepoint is a warning" 0 "warning: no fork events (tracepoint task/task_newtask missing)" "$E"
grep -q vn-notask-marker "$VN_TMP/t.json" || { echo "FAIL missing tracepoint: exec events lost too"; fails=$((fails + 1)); }
grep -q '"type":"fork"' "$VN_TMP/t.json" && { echo "FAIL missing tracepoint: fork events still seen"; fails=$((fails + 1)); }

# capabilities dropped after attach: events, polling and close still work
P=$((20000 + RANDOM % 12000))
rm -f "$E"
"$DUMP" --drop-caps --duration 4 >"$VN_TMP/d.json" 2>"$E" &
DP=$!
VN_PIDS+=($DP)
for _ in $(seq 50); do grep -qs ready "$E" && break; sleep 0.1; done
$VN_APP server --port $P --reply 10 --out "$VN_TMP/s" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/s.ready"
$VN_APP client --port $P --send 10 --out "$VN_TMP/c" || vn_fail client
wait $DP; RC=$?
expect "capabilities dropped after attach" 0 " 0 lost, 0 untracked, connect [1-9]" "$E"
grep -q "\"type\":\"close\".*\"rport\":$P" "$VN_TMP/d.json" ||
   { echo "FAIL caps dropped: no close event"; fails=$((fails + 1)); }

[ $fails = 0 ] || vn_fail "$fails checks failed"
echo PASS
