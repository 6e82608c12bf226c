#!/bin/bash
# test_heal.sh: after a loss the picture heals. A process holds 10
# loopback connections and their listener (21 sockets); visnet is stopped
# (SIGSTOP) while a flood of connections fills its ring buffers, and the
# holder closes all 21 then, so their closes are lost. At the first
# refresh after SIGCONT visnet compares its active sockets with the
# kernel's (sock_diag) and closes the 21 itself: one `close` line each,
# with the holder's pid and "healed": true, and the bye counts every
# healed close of the stream.
. "$(dirname "$0")/lib.sh"
vn_require jq
LOAD=$VISNET_BUILD/tests/bench_conn_load
[ -x "$LOAD" ] || vn_fail "$LOAD not built"
P=$((20000 + RANDOM % 12000))
export VISNET_PROBE_RING_KIB=64 # 500 records a CPU: a flood of a second fills it
vn_start
python3 - "$P" "$VN_TMP" <<'PY' &
import os, socket, sys, time
port, tmp = int(sys.argv[1]), sys.argv[2]
l = socket.socket(); l.bind(("127.0.0.1", port)); l.listen(16)
cs = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
ss = [l.accept()[0] for _ in range(10)]
open(tmp + "/held", "w").write(str(os.getpid()))
for _ in range(300):
    if os.path.exists(tmp + "/close"):
        break
    time.sleep(0.05)
for s in cs + ss + [l]:
    s.close()
open(tmp + "/closed", "w").close()
time.sleep(30)
PY
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/held"
holder=$(cat "$VN_TMP/held")
sleep 0.5 # the holder's sockets are in the store
# a flood on every CPU: the scheduler may keep one unpinned load on one
# CPU, leaving the ring of the CPU where the holder closes with room
flood() {
   local cpu pids=()
   for ((cpu = 0; cpu < $(nproc); cpu++)); do
      taskset -c "$cpu" "$LOAD" conn 1 >/dev/null &
      pids+=($!)
   done
   wait "${pids[@]}"
}
kill -STOP "$VN_SRC_PID"
flood # fills every CPU's ring
touch "$VN_TMP/close"
vn_wait_file "$VN_TMP/closed"
flood # the holder's closes are surely behind a full ring
kill -CONT "$VN_SRC_PID"
sleep 2.5
vn_stop 0.5
lost=$(tail -n 1 "$VN_OUT" | jq '.lost')
[ "${lost:-0}" -gt 0 ] || vn_fail "no events lost (lost $lost): the test made no loss"
healed=$(jq -c "select(.type == \"close\" and .pid == $holder and .healed == true)" "$VN_OUT" | wc -l)
plain=$(jq -c "select(.type == \"close\" and .pid == $holder and .healed != true and (.lport == $P or .rport == $P))" "$VN_OUT" | wc -l)
[ "$healed" = 21 ] || vn_fail "$healed healed closes of pid $holder, want 21 (and $plain seen closing)"
[ "$plain" = 0 ] || vn_fail "$plain closes of pid $holder not lost: the test did not lose them"
all=$(jq -c 'select(.type == "close" and .healed == true)' "$VN_OUT" | wc -l)
bye=$(tail -n 1 "$VN_OUT" | jq '.healed')
[ "$bye" = "$all" ] || vn_fail "bye says healed $bye, the stream has $all healed closes"
echo "ok   $lost events lost; the holder's 21 sockets closed by the heal ($all healed in all, as the bye says)"
echo PASS
