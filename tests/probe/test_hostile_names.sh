#!/bin/bash
# test_hostile_names.sh: a process that names itself to break parsers.
# Its command name is ") R 1 2\n(x" (a naive /proc/PID/stat parser takes
# "1" for its parent), and it lives in a cgroup named to mislead: with a
# newline ("vn-hostile-N\nx", beside a decoy "vn-hostile-N" that a parser
# stopping at the first newline of /proc/PID/cgroup would pick) where the
# kernel allows it; this one refuses newlines in cgroup names (EINVAL), so
# there the name holds spaces, ") R 1 2", "0::" and an escape sequence.
# Every reader of /proc must still give its pid, parent, name and cgroup:
# the snapshot of --once (text and JSON), the live mode's start snapshot
# and its later events, and the fallback's polls.
. "$(dirname "$0")/lib.sh"
vn_require jq
# cgroup v2: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CG" ] && [ -e "$CG/cgroup.procs" ] || vn_skip "no cgroup v2 mounted"
DECOY="$CG/vn-hostile-$$"
EVIL="$DECOY"$'\nx'
COMM=$') R 1 2\n(x'
hostile_cleanup() {
   vn_cleanup
   rmdir "$EVIL" "$DECOY" 2>/dev/null
}
trap hostile_cleanup EXIT
mkdir "$DECOY" || vn_fail "mkdir $DECOY"
if ! mkdir "$EVIL" 2>/dev/null; then
   echo "note: the kernel refuses a newline in a cgroup name; using spaces and escapes"
   EVIL="$DECOY ) R 1 2 0::"$'\e[2J'
   mkdir "$EVIL" || vn_fail "mkdir of the hostile cgroup"
fi
evil_ino=$(stat -c %i "$EVIL")
decoy_ino=$(stat -c %i "$DECOY")
P=$((20000 + RANDOM % 12000))

python3 - "$P" "$VN_TMP" "$EVIL/cgroup.procs" <<'PY' &
import os, socket, sys, time
port, tmp, procs = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(procs, "w") as f:
    f.write(str(os.getpid()))
with open("/proc/self/comm", "w") as f:
    f.write(") R 1 2\n(x")
l = socket.socket(); l.bind(("127.0.0.1", port)); l.listen(4)
c = socket.create_connection(("127.0.0.1", port)); a, _ = l.accept()
open(tmp + "/held.tmp", "w").write("%d %d\n" % (os.getpid(), os.getppid()))
os.rename(tmp + "/held.tmp", tmp + "/held")
for _ in range(400):
    if os.path.exists(tmp + "/go"):
        c2 = socket.create_connection(("127.0.0.1", port)); a2, _ = l.accept()
        open(tmp + "/went", "w").close()
        break
    time.sleep(0.05)
time.sleep(30)
PY
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/held"
read -r pid ppid <"$VN_TMP/held"
[ "$(cat /proc/$pid/comm)" = "$COMM" ] || vn_fail "the kernel did not take the name"
grep -qF "0::/vn-hostile-$$" /proc/$pid/cgroup || vn_fail "not in the hostile cgroup"

# --once, text: the name escaped on one line, the pid and sockets under it
"$VISNET" --once -p "$pid" >"$VN_TMP/once.txt" 2>"$VN_ERR" || vn_fail "--once -p exited non-zero"
want=") R 1 2\\x0a(x($pid)"
head -n 1 "$VN_TMP/once.txt" | grep -qF "$want" || vn_fail "--once: first line $(head -n 1 "$VN_TMP/once.txt"), want $want"
n=$(grep -cE "tcp [0-9]+ -> 127\.0\.0\.1:$P |tcp $P -> |tcp LISTEN 127\.0\.0\.1:$P" "$VN_TMP/once.txt")
[ "$n" = 3 ] || vn_fail "--once: $n of the 3 sockets of $pid"

# --once --json: the same process, its parent and its name
"$VISNET" --once --json >"$VN_TMP/once.json" 2>"$VN_ERR" || vn_fail "--once --json exited non-zero"
got=$(jq -c --argjson p "$pid" '[.. | objects | select(.pid? == $p and has("children"))] | .[0] | [.ppid, .comm, .connections]' "$VN_TMP/once.json")
[ "$got" = "[$ppid,$(jq -cn --arg c "$COMM" '$c'),2]" ] || vn_fail "--once --json: [ppid, comm, connections] $got"

# live: the start snapshot reads /proc; the probe adds a connection after
vn_start
touch "$VN_TMP/go"
vn_wait_file "$VN_TMP/went"
vn_stop 1
proc=$(jq -c --argjson p "$pid" 'select(.type == "proc" and .pid == $p) | [.ppid, .comm, .cgroup]' "$VN_OUT")
want="[$ppid,$(jq -cn --arg c "$COMM" '$c'),$evil_ino]"
[ "$proc" = "$want" ] || vn_fail "live: proc line $proc, want $want (decoy cgroup $decoy_ino)"
socks=$(jq -c --argjson p "$pid" 'select(.type == "sock" and .pid == $p)' "$VN_OUT" | wc -l)
[ "$socks" = 3 ] || vn_fail "live: $socks sock lines of $pid, want 3"
conn=$(jq -c --argjson p "$pid" --argjson port "$P" 'select(.type == "connect" and .pid == $p and .rport == $port) | [.comm, .cgroup]' "$VN_OUT")
want="[$(jq -cn --arg c "$COMM" '$c'),$evil_ino]"
[ "$conn" = "$want" ] || vn_fail "live: the new connection's [comm, cgroup] $conn, want $want"

# the fallback polls /proc
"$VISNET" --no-bpf --json -d 2 --duration 1 >"$VN_TMP/poll.json" 2>"$VN_ERR" || vn_fail "--no-bpf exited non-zero"
proc=$(jq -c --argjson p "$pid" 'select(.type == "proc" and .pid == $p) | [.ppid, .comm, .cgroup]' "$VN_TMP/poll.json")
want="[$ppid,$(jq -cn --arg c "$COMM" '$c'),$evil_ino]"
[ "$proc" = "$want" ] || vn_fail "--no-bpf: proc line $proc, want $want"
echo "ok   pid $pid, parent $ppid, name and cgroup $evil_ino read right by --once, live and --no-bpf"
echo PASS
