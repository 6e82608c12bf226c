#!/bin/bash
# probe_toggle.sh: the probe's overhead on a connection load, as the ratio
# of the load's rate with visnet running to its rate without, measured in
# ONE long run of the load: visnet is started and stopped PAIRS times, and
# each window with visnet is compared with the bare windows just before
# and after it. Slow drifts of this shared VM's speed (20-40 % between
# separate runs) cancel out in adjacent windows. Prints figures, never a
# verdict. Needs root.
#
#   probe_toggle.sh [PAIRS] [WINDOW_SECONDS]
# env: VISNET_BUILD, BENCH, LOAD (conn, the default: connections; bulk:
#   64-byte writes on one connection; udp: a flood of 64-byte datagrams;
#   the figures then count writes or datagrams where they say connections),
#   SIZE (bulk and udp: bytes per write or datagram, default 64),
#   VISNET_CMD (default "$VISNET --headless"),
#   VISNET_CMD_B (if set, pairs alternate VISNET_CMD and it, and each gets
#   its own figures: an A/B comparison of two builds or modes in one run),
#   READY (seconds from starting visnet to its first window, default 2:
#   loading and attaching the programs takes ~1.4 s here).
set -u
PAIRS=${1:-10}
WIN=${2:-2}
READY=${READY:-2}
BUILD=${VISNET_BUILD:-$(dirname "$0")/../../build}
BENCH=${BENCH:-$BUILD/tests/bench_conn_load}
VISNET=${VISNET:-$BUILD/src/visnet}
VISNET_CMD=${VISNET_CMD:-$VISNET --headless}
TMP=$(mktemp -d /tmp/vn-toggle.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
[ "$(id -u)" = 0 ] || { echo "probe_toggle.sh: needs root"; exit 1; }
[ -x "$BENCH" ] || { echo "probe_toggle.sh: $BENCH not built"; exit 1; }
case "$PAIRS$WIN$READY" in *[!0-9.]*) echo "probe_toggle.sh: PAIRS, WINDOW and READY are numbers"; exit 2 ;; esac

now() { date +%s.%N; }
window() { # window KIND: sleeps WIN seconds and logs the window
   local t0 t1
   t0=$(now)
   sleep "$WIN"
   t1=$(now)
   echo "$1 $t0 $t1" >>"$TMP/windows"
}

# the load runs through all windows, plus slack for visnet's exits
total=$(echo "2 + $PAIRS * (2 * $WIN + $READY + 3) + $WIN + 2" | bc)
case "${LOAD:=conn}" in conn | bulk | udp) ;; *) echo "probe_toggle.sh: LOAD is conn, bulk or udp"; exit 2 ;; esac
size=()
[ "$LOAD" != conn ] && [ -n "${SIZE:-}" ] && size=("$SIZE")
BENCH_TICK_MS=100 "$BENCH" "$LOAD" "$total" "${size[@]}" >"$TMP/ticks" &
bench=$!
sleep 1
for i in $(seq "$PAIRS"); do
   window bare
   kind=A cmd=$VISNET_CMD
   if [ -n "${VISNET_CMD_B:-}" ] && [ $((i % 2)) = 0 ]; then kind=B cmd=$VISNET_CMD_B; fi
   $cmd >/dev/null 2>"$TMP/v$i.err" &
   v=$!
   sleep "$READY"
   window "$kind"
   kill -INT $v
   for _ in $(seq 100); do kill -0 $v 2>/dev/null || break; sleep 0.1; done
   wait $v 2>/dev/null
   sleep 0.3
done
window bare
kill -INT $bench 2>/dev/null # not needed: it ends by itself; stop early
wait $bench 2>/dev/null

echo "load: $LOAD${size:+, $size bytes}"
echo "A: $VISNET_CMD${VISNET_CMD_B:+
B: $VISNET_CMD_B}"
python3 - "$TMP" <<'EOF'
import sys, statistics
tmp = sys.argv[1]
ticks = [(float(a), int(b), float(c)) for _, a, b, c in
         (l.split() for l in open(tmp + "/ticks") if l.startswith("tick "))]

def at(t):  # (connections, bench CPU seconds) by time t, interpolated
    for (t0, n0, c0), (t1, n1, c1) in zip(ticks, ticks[1:]):
        if t0 <= t <= t1:
            f = (t - t0) / (t1 - t0)
            return n0 + (n1 - n0) * f, c0 + (c1 - c0) * f
    raise SystemExit("probe_toggle.sh: a window lies outside the load's ticks")

bare, withv = [], []
for kind, a, b in (l.split() for l in open(tmp + "/windows")):
    (n0, c0), (n1, c1) = at(float(a)), at(float(b))
    w = ((n1 - n0) / (float(b) - float(a)), (c1 - c0) * 1e9 / max(n1 - n0, 1))
    if kind == "bare":
        bare.append(w)
    else:
        withv.append((kind, w))

def summary(name, xs):
    q = statistics.quantiles(xs, n=4) if len(xs) > 1 else xs * 3
    return "%s median %.3f (quartiles %.3f-%.3f, min %.3f, max %.3f)" % (
        name, statistics.median(xs), q[0], q[2], min(xs), max(xs))

rr, cr = {}, {}
print("pair   rate: bare    with    bare  ratio | bench CPU ns/conn: bare  with  bare  ratio")
for i, (kind, (w, wc)) in enumerate(withv):
    (b0, bc0), (b1, bc1) = bare[i], bare[i + 1]
    rr.setdefault(kind, []).append(w / ((b0 + b1) / 2))
    cr.setdefault(kind, []).append(((bc0 + bc1) / 2) / wc)
    print("%4d%s %7.0f %7.0f %7.0f  %.3f | %20.0f %5.0f %5.0f  %.3f"
          % (i + 1, kind, b0, w, b1, rr[kind][-1], bc0, wc, bc1, cr[kind][-1]))
for kind in sorted(rr):
    tag = "" if len(rr) == 1 else kind + ": "
    print(tag + summary("rate ratio (with/bare)", rr[kind]) + " over %d pairs" % len(rr[kind]))
    print(tag + summary("CPU ratio (bare/with bench CPU per connection)", cr[kind]))
print("bare rates %.0f-%.0f connections/s" % (min(b for b, _ in bare), max(b for b, _ in bare)))
EOF
for i in $(seq "$PAIRS"); do tail -n 1 "$TMP/v$i.err"; done |
   awk '{for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^lost/) lost += $i; if ($(i+1) ~ /^events/) ev += $i }}
        END { printf "visnet runs: %d events, %d lost\n", ev, lost }'
