#!/bin/bash
# once_bench.sh: `visnet --once` against `ss -tanp` with N (10 000) TCP
# connections held open on loopback (2N sockets: a server process holding
# the accepted ends, a client process holding the connected ends).
# Prints medians of interleaved rounds, their ratio and peak RSS; then, if
# the binary has them, the CPU used by the live (eBPF) and polling modes
# while idle with these sockets open. Figures only: never pass/fail.
#
# usage: tests/bench/once_bench.sh [BUILD_DIR]
# env:   VISNET (binary), BENCH_HOLD (tests/bench_hold), N=10000, ROUNDS=7,
#        PORT=47123, IDLE_S=10 (seconds of idle CPU measurement, 0 = skip)
set -u
BUILD=${1:-${VISNET_BUILD:-build}}
VISNET=${VISNET:-$BUILD/src/visnet}
HOLD=${BENCH_HOLD:-$BUILD/tests/bench_hold}
N=${N:-10000}
ROUNDS=${ROUNDS:-7}
PORT=${PORT:-47123}
IDLE_S=${IDLE_S:-10}

[ -x "$VISNET" ] || { echo "no visnet binary at $VISNET" >&2; exit 2; }
[ -x "$HOLD" ] || { echo "no bench_hold at $HOLD (build the tests)" >&2; exit 2; }
command -v ss >/dev/null || { echo "ss not installed" >&2; exit 2; }

DIR=$(mktemp -d /tmp/visnet-bench.XXXXXX)
SPID= CPID=
cleanup() {
   exec 7>&- 8>&- 2>/dev/null
   [ -n "$CPID" ] && kill "$CPID" 2>/dev/null
   [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
   wait 2>/dev/null
   rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

# wait_for FILE WORD SECONDS
wait_for() {
   for _ in $(seq 1 $(($3 * 10))); do
      grep -q "$2" "$1" 2>/dev/null && return 0
      sleep 0.1
   done
   echo "timed out waiting for '$2' in $1: $(cat "$1" 2>/dev/null)" >&2
   exit 1
}

mkfifo "$DIR/s.in" "$DIR/c.in"
"$HOLD" server "$PORT" "$N" <"$DIR/s.in" >"$DIR/s.out" &
SPID=$!
exec 7>"$DIR/s.in"
wait_for "$DIR/s.out" listening 10
"$HOLD" client "$PORT" "$N" <"$DIR/c.in" >"$DIR/c.out" &
CPID=$!
exec 8>"$DIR/c.in"
wait_for "$DIR/c.out" ready 120
wait_for "$DIR/s.out" ready 120
echo "holding $N connections on 127.0.0.1:$PORT (server pid $SPID, client pid $CPID)"
echo "sockets listed by ss -tan: $(ss -tanH | wc -l)"
"$VISNET" --once | tail -1

python3 - "$VISNET" "$ROUNDS" "$IDLE_S" <<'PY'
import os, statistics, subprocess, sys, time

visnet, rounds, idle_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

def run(cmd):
    """Wall time (s) and peak RSS (KiB) of one run, output discarded."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, ru.ru_maxrss, p.returncode

cmds = {"visnet --once": [visnet, "--once"],
        "visnet --once --json": [visnet, "--once", "--json"],
        "ss -tanp": ["ss", "-tanp"]}
times = {k: [] for k in cmds}
rss = {k: 0 for k in cmds}
for k, c in cmds.items():          # warm-up (page cache, dentries)
    run(c)
for r in range(rounds):            # interleaved, order alternating
    order = list(cmds) if r % 2 == 0 else list(reversed(cmds))
    for k in order:
        dt, m, rc = run(cmds[k])
        if rc != 0:
            print(f"{k} exited {rc}", file=sys.stderr)
        times[k].append(dt)
        rss[k] = max(rss[k], m)
med = {k: statistics.median(v) for k, v in times.items()}
for k in cmds:
    print(f"{k:22s} median {med[k]*1000:7.1f} ms  (min {min(times[k])*1000:.1f}, "
          f"max {max(times[k])*1000:.1f})  peak RSS {rss[k]/1024:.1f} MiB")
print(f"ratio visnet --once / ss -tanp: {med['visnet --once']/med['ss -tanp']:.2f} "
      f"(target <= 0.6); visnet peak RSS {rss['visnet --once']/1024:.1f} MiB (target <= 16)")

def idle_cpu(args, label):
    """CPU share of one core used by a mode running idle for idle_s."""
    t = time.perf_counter()
    p = subprocess.Popen([visnet] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace").strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0:
        print(f"{label}: not measured (exit {os.waitstatus_to_exitcode(status)}: "
              f"{err[-1] if err else ''})")
        return
    cpu = ru.ru_utime + ru.ru_stime
    print(f"{label}: {cpu:.2f} s CPU in {wall:.1f} s = {100*cpu/wall:.2f}% of a core "
          f"(start-up snapshot included), peak RSS {ru.ru_maxrss/1024:.1f} MiB")

if idle_s > 0:
    d = f"{idle_s:g}"
    idle_cpu(["--headless", "--duration", d], f"live (eBPF) --headless --duration {d}")
    idle_cpu(["--headless", "--no-bpf", "--duration", d],
             f"polling --no-bpf --headless --duration {d} (default -d)")
PY
