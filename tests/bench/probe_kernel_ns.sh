#!/bin/bash
# probe_kernel_ns.sh: the probe's in-kernel time per unit of a load, from
# the kernel's own program statistics (kernel.bpf_stats_enabled): visnet
# runs headless while the load runs SECONDS, then every vn_* program's
# run count and run time are read with bpftool and divided by what the load
# did (connections, writes or datagrams). Prints figures, never a verdict.
# Needs root and bpftool.
#
#   probe_kernel_ns.sh [SECONDS] [LOAD]    LOAD: conn (default), bulk, udp
# env: VISNET_BUILD, BENCH, VISNET_CMD (default "$VISNET --headless")
set -u
SECS=${1:-5}
LOAD=${2:-conn}
BUILD=${VISNET_BUILD:-$(dirname "$0")/../../build}
BENCH=${BENCH:-$BUILD/tests/bench_conn_load}
VISNET=${VISNET:-$BUILD/src/visnet}
VISNET_CMD=${VISNET_CMD:-$VISNET --headless}
[ "$(id -u)" = 0 ] || { echo "probe_kernel_ns.sh: needs root"; exit 1; }
[ -x "$BENCH" ] || { echo "probe_kernel_ns.sh: $BENCH not built"; exit 1; }
case "$SECS" in '' | *[!0-9.]*) echo "probe_kernel_ns.sh: SECONDS is a number"; exit 2 ;; esac
case "$LOAD" in conn | bulk | udp) ;; *) echo "probe_kernel_ns.sh: LOAD is conn, bulk or udp"; exit 2 ;; esac
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
TMP=$(mktemp -d /tmp/vn-kns.XXXXXX)
old=$(sysctl -n kernel.bpf_stats_enabled)
trap 'kill $(jobs -p) 2>/dev/null; sysctl -q kernel.bpf_stats_enabled="$old"; rm -rf "$TMP"' EXIT
sysctl -q kernel.bpf_stats_enabled=1
$VISNET_CMD >/dev/null 2>"$TMP/v.err" &
v=$!
sleep 2 # loaded, attached, past the start-up snapshot
"$BPFTOOL" -j prog show >"$TMP/before.json"
"$BENCH" "$LOAD" "$SECS" >"$TMP/bench.txt"
"$BPFTOOL" -j prog show >"$TMP/after.json"
kill -INT $v
wait $v 2>/dev/null
python3 - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
bench = dict(kv.split("=") for kv in open(tmp + "/bench.txt").read().split())
units = int(bench.get("connections", bench.get("writes", 0)))
def progs(f):
    return {p["id"]: p for p in json.load(open(f)) if p.get("name", "").startswith("vn_")}
before, after = progs(tmp + "/before.json"), progs(tmp + "/after.json")
total = 0
print("load: %s, %d units in %s s (%s/s)" % (bench["mode"], units, bench["seconds"], bench["rate"]))
print("%-22s %12s %10s %12s" % ("program", "runs", "ns/run", "ns/unit"))
for pid, p in sorted(after.items(), key=lambda kv: kv[1]["name"]):
    b = before.get(pid, {})
    runs = p.get("run_cnt", 0) - b.get("run_cnt", 0)
    ns = p.get("run_time_ns", 0) - b.get("run_time_ns", 0)
    if runs == 0:
        continue
    total += ns
    print("%-22s %12d %10.0f %12.1f" % (p["name"], runs, ns / runs, ns / max(units, 1)))
print("in-kernel time per unit: %.0f ns (the bench's own CPU per unit: %s ns)" % (total / max(units, 1), bench["cpu_ns"]))
PY
tail -n 1 "$TMP/v.err"
