#!/bin/bash
# fleet_e2e.sh: the real program merging HOSTS recorded streams (default
# 20) of CONNS connections each (default 10 000, made by bench_fleet -w),
# each read through its own child as ssh would be (--ssh-command: a script
# that writes the host's stream, then stays, as a live visnet does):
#   --once --json  until every host's picture is in and the document of
#                  the whole fleet is written: wall time, peak RSS
#   the UI         in tmux for SECONDS (default 20): its CPU share and RSS
#                  once every stream is in, refreshing every second
#   VISNET=build/src/visnet BENCH_FLEET=build/tests/bench_fleet \
#      tests/bench/fleet_e2e.sh [HOSTS] [CONNS] [SECONDS]
set -u
: "${VISNET:?VISNET must point at the visnet binary}"
: "${BENCH_FLEET:?BENCH_FLEET must point at bench_fleet}"
hosts=${1:-20}
conns=${2:-10000}
secs=${3:-20}
tmp=$(mktemp -d)
sock="visnet-fleet-$$"
cleanup() {
   tmux -L "$sock" kill-server 2>/dev/null
   rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
   rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$BENCH_FLEET" -H "$hosts" -c "$conns" -w "$tmp" || exit 1
cat >"$tmp/fake-ssh" <<EOF
#!/bin/bash
host= prev=
for a in "\$@"; do [ "\$prev" = -- ] && { host=\$a; break; }; prev=\$a; done
cat "$tmp/\$host.jsonl"
exec sleep 600
EOF
chmod +x "$tmp/fake-ssh"
list=$(for ((h = 0; h < hosts; h++)); do printf 'h%02d,' "$h"; done)
list=${list%,}
bytes=$(cat "$tmp"/h*.jsonl | wc -c)
lines=$(cat "$tmp"/h*.jsonl | wc -l)

/usr/bin/time -f "%e %M" -o "$tmp/time" "$VISNET" --remote "$list" --ssh-command "$tmp/fake-ssh" \
   --once --json >"$tmp/doc.json" || { echo "visnet --once failed" >&2; exit 1; }
read -r wall kib <"$tmp/time"
n=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(h["connections"]) for h in d["hosts"]), sum(1 for h in d["hosts"] for c in h["connections"] if "peer" in c))' "$tmp/doc.json")
echo "once    $hosts hosts x $conns: $lines lines ($((bytes / 1048576)) MiB) merged and written in $wall s" \
   "($(python3 -c "print(round($lines / $wall))") lines/s); peak RSS $((kib / 1024)) MiB; connections, joined: $n"

printf 'set -g status off\n' >"$tmp/tmux.conf"
tmux -L "$sock" -f "$tmp/tmux.conf" new-session -d -x 200 -y 60 \
   "LC_ALL=C.UTF-8 $VISNET --remote $list --ssh-command $tmp/fake-ssh; sleep 60"
pid=
for _ in $(seq 50); do
   pid=$(pgrep -f -n "^$VISNET --remote $list") && break
   sleep 0.1
done
[ -n "$pid" ] || { echo "the UI did not start" >&2; exit 1; }
for _ in $(seq 300); do # every host up: the stream is in
   tmux -L "$sock" capture-pane -p | grep -q "hosts $hosts/$hosts up" && break
   sleep 0.1
done
sleep 3
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$secs"
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hz=$(getconf CLK_TCK)
echo "ui      $(python3 -c "print(round(100.0 * ($t1 - $t0) / $hz / $secs, 2))") % of a core over ${secs} s" \
   "(refresh 1 s, $hosts hosts x $conns connections); RSS $((rss / 1024)) MiB"
tmux -L "$sock" send-keys q
