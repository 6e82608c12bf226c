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
   # closing their stdin makes the holders reset their sockets and exit
   exec 7>&- 8>&- 2>/dev/null
   for _ in $(seq 1 50); do
      kill -0 "$SPID" 2>/dev/null || kill -0 "$CPID" 2>/dev/null || break
      sleep 0.1
   done
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

# TIME_WAIT sockets left by an earlier run would be counted too: let them go
for _ in $(seq 1 70); do
   tw=$(ss -tanH state time-wait | wc -l)
   [ "$tw" -lt 1000 ] && break
   [ "${said:-}" ] || { echo "waiting for $tw TIME_WAIT sockets to expire"; said=1; }
   sleep 1
done

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

def peak_rss(cmd, runs=3):
    """Peak RSS (KiB) over a few runs, from GNU time: the rusage of a child
    of this script would include the Python process it was forked from."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    best = 0
    for _ in range(runs):
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        best = max(best, int(r.stderr.strip().splitlines()[-1]))
    return best

def run(cmd):
    """Wall time (s) of one run, output discarded."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, _ = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, p.returncode

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
        dt, rc = run(cmds[k])
        if rc != 0:
            print(f"{k} exited {rc}", file=sys.stderr)
        times[k].append(dt)
med = {k: statistics.median(v) for k, v in times.items()}
for k in cmds:
    r = peak_rss(cmds[k])
    rss[k] = r if r is not None else 0
    print(f"{k:22s} median {med[k]*1000:7.1f} ms  (min {min(times[k])*1000:.1f}, "
          f"max {max(times[k])*1000:.1f})  peak RSS "
          + (f"{r/1024:.1f} MiB" if r is not None else "? (/usr/bin/time missing)"))
print(f"ratio visnet --once / ss -tanp: {med['visnet --once']/med['ss -tanp']:.2f} "
      f"(target <= 0.6); visnet peak RSS {rss['visnet --once']/1024:.1f} MiB (target <= 16)")

def ticks(pid):
    """utime + stime of pid, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])

def idle_cpu(args, label, warmup=3.0):
    """CPU share of one core used by a mode once started (start-up excluded):
    ticks between warmup and warmup + idle_s."""
    p = subprocess.Popen([visnet] + args + ["--duration", f"{warmup + idle_s + 2:g}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    time.sleep(warmup)
    hwm = "?"
    try:
        t0, c0 = time.perf_counter(), ticks(p.pid)
        time.sleep(idle_s)
        t1, c1 = time.perf_counter(), ticks(p.pid)
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = f"{int(line.split()[1]) / 1024:.1f} MiB"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        c0 = c1 = None
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace").strip().splitlines()
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0 or c0 is None:
        print(f"{label}: not measured (exit {rc}: {err[-1] if err else ''})")
        return
    hz = os.sysconf("SC_CLK_TCK")
    cpu = (c1 - c0) / hz
    print(f"{label}: {cpu:.2f} s CPU in {t1 - t0:.1f} s idle = {100 * cpu / (t1 - t0):.2f}% "
          f"of a core; whole run {ru.ru_utime + ru.ru_stime:.2f} s CPU, peak RSS {hwm}")

if idle_s > 0:
    idle_cpu(["--headless"], "live (eBPF) --headless")
    idle_cpu(["--headless", "--no-bpf"], "polling --no-bpf --headless (default -d)")
PY
