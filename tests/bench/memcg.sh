#!/bin/bash
# memcg.sh: what a visnet run is charged in a memory cgroup of its own.
# Starts `visnet ARGS...` in a new cgroup (limited to LIMIT MiB, 0: none),
# samples its usage after 2.5 s (held after load) and prints the peaks at
# the end and whether it was OOM killed. Figures only. Needs root.
#
#   memcg.sh LIMIT_MiB VISNET_BIN [ARGS...]    e.g. memcg.sh 0 build/src/visnet --headless --duration 4
set -u
lim=$1
shift
[ "$(id -u)" = 0 ] || { echo "memcg.sh: needs root"; exit 1; }
if mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts) && [ -n "$mnt" ] &&
   grep -qw memory "$mnt/cgroup.controllers" 2>/dev/null; then
   echo +memory >"$mnt/cgroup.subtree_control" 2>/dev/null
   cg=$mnt/vn-memcg-$$ limf=memory.max usef=memory.current peakf=memory.peak
   kmem() { awk '$1 == "kernel" { print int($2 / 1024) }' "$cg/memory.stat"; }
   ooms() { awk '$1 == "oom_kill" { print $2 }' "$cg/memory.events"; }
else
   mnt=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)
   [ -n "$mnt" ] || { echo "memcg.sh: no memory cgroup controller"; exit 1; }
   cg=$mnt/vn-memcg-$$ limf=memory.limit_in_bytes usef=memory.usage_in_bytes peakf=memory.max_usage_in_bytes
   kmem() { echo $(($(cat "$cg/memory.kmem.usage_in_bytes") >> 10)); }
   ooms() { awk '$1 == "oom_kill" { print $2 }' "$cg/memory.oom_control"; }
fi
mkdir "$cg" || exit 1
trap 'sleep 0.3; rmdir "$cg" 2>/dev/null' EXIT
[ "$lim" != 0 ] && echo $((lim << 20)) >"$cg/$limf"
out=$(mktemp /tmp/vn-memcg.XXXXXX)
bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" >/dev/null 2>"$out" &
pid=$!
sleep 2.5
echo "held: usage $(($(cat "$cg/$usef") >> 10)) KiB, kernel $(kmem) KiB"
wait "$pid"
rc=$?
echo "exit $rc; peak $(($(cat "$cg/$peakf" 2>/dev/null || echo 0) >> 10)) KiB; oom kills $(ooms)"
tail -n 2 "$out"
rm -f "$out"
