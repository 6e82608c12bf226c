#!/bin/bash
# test_sandbox.sh: once the probe is attached, visnet holds no capability,
# has no_new_privs and a seccomp filter (/proc/PID/status), and the kernel
# refuses what it does not need: the test hook VISNET_SANDBOX_PROBE makes
# it try to create a file outside its record file (Landlock says no) and to
# call getcwd, which no mode makes (seccomp says no). The record file is
# still written, events still flow, and the same run with --no-sandbox
# does both (so the hook can fail). The fallback keeps exactly the three
# capabilities it uses and goes without Landlock; a replay is confined too.
. "$(dirname "$0")/lib.sh"
vn_require

OUTSIDE=$VN_TMP/outside
REC=$VN_TMP/rec.vnl
export VISNET_SANDBOX_PROBE=$OUTSIDE

# status FIELD PID: the value of one line of /proc/PID/status
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$2/status"; }

# wait until the hook has spoken in $VN_ERR
wait_hook() {
   for _ in $(seq 100); do
      grep -q "sandbox probe:" "$VN_ERR" 2>/dev/null && return 0
      kill -0 "$VN_SRC_PID" 2>/dev/null || vn_fail "visnet exited: $(cat "$VN_ERR")"
      sleep 0.1
   done
   vn_fail "no sandbox probe line within 10 s"
}

# 1. live, sandboxed, recording
VN_CMD=("$VISNET" --json -d 2 --record "$REC")
vn_start
wait_hook
pid=$VN_SRC_PID
[ "$(status NoNewPrivs $pid)" = 1 ] || vn_fail "NoNewPrivs: $(status NoNewPrivs $pid), want 1"
[ "$(status Seccomp $pid)" = 2 ] || vn_fail "Seccomp: $(status Seccomp $pid), want 2 (filter)"
for c in CapEff CapPrm CapInh CapBnd; do
   [ "$(status $c $pid)" = 0000000000000000 ] || vn_fail "$c: $(status $c $pid), want none"
done
want="sandbox probe: write $OUTSIDE: Permission denied; getcwd: Operation not permitted"
grep -qF "$want" "$VN_ERR" || vn_fail "hook said: $(grep 'sandbox probe' "$VN_ERR"), want: $want"
[ -e "$OUTSIDE" ] && vn_fail "the sandbox let visnet create $OUTSIDE"
echo "ok   live: NoNewPrivs 1, Seccomp 2, no capabilities; a write outside and getcwd refused"

P=$((20000 + RANDOM % 12000))
python3 - "$P" <<'PY' || vn_fail "3 connections failed"
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(8)
for _ in range(3):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s, _ = l.accept(); c.send(b"x" * 100); s.recv(100); c.close(); s.close()
PY
vn_stop 0.8
n=$(jq -c "select(.type == \"connect\" and .rport == $P)" "$VN_OUT" | wc -l)
[ "$n" = 3 ] || vn_fail "$n connect events to port $P in the stream, want 3"
n=$("$VISNET" --replay "$REC" --json --speed 0 2>"$VN_TMP/replay.err" |
    jq -c "select(.type == \"connect\" and .rport == $P)" | wc -l)
[ "$n" = 3 ] || vn_fail "$n connect events to port $P in the recording, want 3"
grep -qF "$want" "$VN_TMP/replay.err" || vn_fail "replay not confined: $(cat "$VN_TMP/replay.err")"
echo "ok   3 connections in the stream and in the record file; its replay confined too"

# 2. --no-sandbox: the same hook succeeds (capabilities are still dropped)
VN_CMD=("$VISNET" --json -d 2 --no-sandbox)
vn_start
wait_hook
pid=$VN_SRC_PID
[ "$(status NoNewPrivs $pid)" = 0 ] || vn_fail "--no-sandbox: NoNewPrivs $(status NoNewPrivs $pid)"
[ "$(status Seccomp $pid)" = 0 ] || vn_fail "--no-sandbox: Seccomp $(status Seccomp $pid)"
[ "$(status CapEff $pid)" = 0000000000000000 ] || vn_fail "--no-sandbox: CapEff $(status CapEff $pid)"
grep -qF "sandbox probe: write $OUTSIDE: ok; getcwd: ok" "$VN_ERR" ||
   vn_fail "--no-sandbox hook said: $(grep 'sandbox probe' "$VN_ERR")"
[ -f "$OUTSIDE" ] || vn_fail "--no-sandbox: $OUTSIDE not created"
vn_stop 0.2
rm -f "$OUTSIDE"
echo "ok   --no-sandbox: NoNewPrivs 0, Seccomp 0, the hook's write and getcwd succeed"

# 3. the fallback: CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE and CAP_SYS_ADMIN only
# (polling sees no short-lived marker process: started by hand)
"$VISNET" --json -d 2 --no-bpf --duration 55 >"$VN_OUT" 2>"$VN_ERR" &
VN_SRC_PID=$!
VN_PIDS+=("$VN_SRC_PID")
wait_hook
pid=$VN_SRC_PID
[ "$(status CapEff $pid)" = 0000000000280004 ] || vn_fail "fallback CapEff $(status CapEff $pid), want 0000000000280004"
[ "$(status CapBnd $pid)" = 0000000000280004 ] || vn_fail "fallback CapBnd $(status CapBnd $pid)"
[ "$(status Seccomp $pid)" = 2 ] || vn_fail "fallback Seccomp $(status Seccomp $pid)"
# no Landlock here: it would deny the /proc/PID/fd reads (docs/SECURITY.md)
grep -qF "sandbox probe: write $OUTSIDE: ok; getcwd: Operation not permitted" "$VN_ERR" ||
   vn_fail "fallback hook said: $(grep 'sandbox probe' "$VN_ERR")"
# it still sees a connection made now, through its children in namespaces
python3 - "$P" <<'PY' &
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(8)
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s, _ = l.accept(); time.sleep(1.5)
PY
holder=$!
VN_PIDS+=("$holder")
sleep 1
wait "$holder"
vn_stop 0.2
n=$(jq -c "select(.type == \"sock\" and .rport == $P and .pid == $holder)" "$VN_OUT" | wc -l)
[ "$n" = 1 ] || vn_fail "fallback: $n sockets of pid $holder to port $P, want 1"
echo "ok   fallback: 3 capabilities kept, Seccomp 2 (no Landlock), its polls still see pid $holder's connection"
echo PASS
