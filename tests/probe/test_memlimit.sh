#!/bin/bash
# test_memlimit.sh: visnet under a memory cgroup limit. The probe's maps,
# rings and the verifier's memory at load are charged to visnet's cgroup:
# a limit they pass would have the kernel kill visnet with SIGKILL, saying
# nothing. Under 64 MiB and a flood of ~200 000 connections visnet must run
# to the end with its history capped to fit (said on stderr), never OOM
# killed; under 48 MiB it must refuse at once in one line; without the
# probe (--no-bpf) a small limit only shortens the history.
. "$(dirname "$0")/lib.sh"
vn_require jq
BENCH=$VISNET_BUILD/tests/bench_conn_load
[ -x "$BENCH" ] || vn_fail "no $BENCH"

# A memory cgroup of our own: cgroup v2 where it has the memory controller,
# else the v1 memory hierarchy.
CG=
if mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts) && [ -n "$mnt" ] &&
   grep -qw memory "$mnt/cgroup.controllers" 2>/dev/null; then
   echo +memory >"$mnt/cgroup.subtree_control" 2>/dev/null
   CG=$mnt/vn-memtest-$$ LIMIT_FILE=memory.max
   oom_kills() { awk '$1 == "oom_kill" { print $2 }' "$CG/memory.events"; }
elif mnt=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts) &&
   [ -n "$mnt" ]; then
   CG=$mnt/vn-memtest-$$ LIMIT_FILE=memory.limit_in_bytes
   oom_kills() { awk '$1 == "oom_kill" { print $2 }' "$CG/memory.oom_control"; }
else
   vn_skip "no memory cgroup controller mounted"
fi
mkdir "$CG" || vn_fail "mkdir $CG"
trap 'rmdir "$CG" 2>/dev/null; vn_cleanup' EXIT
NAME=/vn-memtest-$$

# in_cgroup MiB CMD...: runs CMD in the cgroup limited to MiB
in_cgroup() {
   local mib=$1
   shift
   echo $((mib << 20)) >"$CG/$LIMIT_FILE" || vn_fail "setting the limit to $mib MiB"
   bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

# 1. 64 MiB and a flood that passes the history cap many times over
in_cgroup 64 "$VISNET" --headless --duration 12 >"$VN_OUT" 2>"$VN_ERR" &
VN_SRC_PID=$!
VN_PIDS+=("$VN_SRC_PID")
# ready once the probe is attached: visnet (the child of the background
# shell) then drops its capabilities
ready=
for _ in $(seq 100); do
   vpid=$(pgrep -P "$VN_SRC_PID" | head -1)
   if [ -n "$vpid" ] &&
      [ "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$vpid/status" 2>/dev/null)" = 0000000000000000 ]; then
      ready=1
      break
   fi
   sleep 0.1
done
[ -n "$ready" ] || vn_fail "visnet did not attach its probe within 10 s under 64 MiB"
# from 65 535 source addresses: a history that does not fold (a few
# connections per remote, where 32 per remote and port are kept one by one)
BENCH_SRC_SPREAD=65535 "$BENCH" conn 5 2 >"$VN_TMP/bench.out" || vn_fail "bench_conn_load failed"
wait "$VN_SRC_PID"
rc=$?
[ "$rc" = 0 ] || vn_fail "under 64 MiB visnet exited with $rc (137: killed by the OOM killer)"
[ "$(oom_kills)" = 0 ] || vn_fail "OOM kills in the cgroup: $(oom_kills)"
cap=$(sed -n "s|^visnet: memory limit 64 MiB (cgroup $NAME): keeping at most \([0-9]*\) inactive entries$|\1|p" "$VN_ERR")
[ -n "$cap" ] || vn_fail "no memory limit note on stderr"
[ "$cap" -ge 4096 ] && [ "$cap" -lt 100000 ] || vn_fail "cap $cap, want below the default 100000"
conns=$(sed -n 's/.* connections=\([0-9]*\) .*/\1/p' "$VN_TMP/bench.out")
# each connection leaves two closed sockets (client and server): more than the cap
[ "$conns" -gt "$cap" ] || vn_fail "the flood made $conns connections ($((2 * conns)) sockets), fewer than the cap $cap"
sum=$(tail -n 1 "$VN_ERR")
read -r seen lost socks active eps < <(sed -n \
   's/.*events, \([0-9]*\) lost, \([0-9]*\) connects.* \([0-9]*\) sockets (\([0-9]*\) active), \([0-9]*\) endpoints.*/\2 \1 \3 \4 \5/p' <<<"$sum")
[ "$lost" = 0 ] || vn_fail "events lost: $sum"
[ "$seen" -ge "$conns" ] || vn_fail "$seen connects seen, the flood made $conns: $sum"
# the cap counts closed sockets and inactive edges (the server's, one per
# client address: as many as the endpoints)
inactive=$((socks - active + eps))
[ "$inactive" -le $((cap + 1)) ] && [ "$inactive" -gt $((cap - 100)) ] ||
   vn_fail "$inactive inactive entries kept ($((socks - active)) closed sockets, $eps remotes), want the cap $cap (less the few other entries): $sum"
echo "ok   64 MiB: $conns connections, $seen connects seen, 0 lost, $inactive closed kept of a cap of $cap, no OOM kill"

# 2. too small to load the probe: one line, exit 1, nothing killed
in_cgroup 48 "$VISNET" --headless --duration 5 >"$VN_OUT" 2>"$VN_ERR"
rc=$?
[ "$rc" = 1 ] || vn_fail "under 48 MiB: exit $rc, want 1"
[ "$(wc -l <"$VN_ERR")" = 1 ] || vn_fail "want one line on stderr, got $(wc -l <"$VN_ERR")"
grep -qxE "visnet: the memory limit of cgroup $NAME \(48 MiB, [0-9]+ MiB in use\) leaves too little: visnet needs 52 MiB to load its probe \(--no-bpf needs less\); raise the limit" \
   "$VN_ERR" || vn_fail "refusal: $(cat "$VN_ERR")"
[ "$(oom_kills)" = 0 ] || vn_fail "OOM kills in the cgroup: $(oom_kills)"
echo "ok   48 MiB: refused in one line, exit 1"

# 3. without the probe 24 MiB is enough, with a shorter history
in_cgroup 24 "$VISNET" --headless --no-bpf --duration 1 >"$VN_OUT" 2>"$VN_ERR"
rc=$?
[ "$rc" = 0 ] || vn_fail "--no-bpf under 24 MiB: exit $rc"
grep -qxE "visnet: memory limit 24 MiB \(cgroup $NAME\): keeping at most [0-9]+ inactive entries" "$VN_ERR" ||
   vn_fail "--no-bpf under 24 MiB: $(cat "$VN_ERR")"
tail -n 1 "$VN_ERR" | grep -qE '^visnet: snapshot polling: [0-9]+ events, 0 lost' ||
   vn_fail "no summary: $(tail -n 1 "$VN_ERR")"
echo "ok   24 MiB without the probe: runs, history capped"
echo PASS
