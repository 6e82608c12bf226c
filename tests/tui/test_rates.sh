#!/bin/bash
# Rates (root, live): two downloads paced at 400 KiB/s and 100 KiB/s from a
# local server. Sorted by rate the faster client comes first and stays
# first; once the average has its window (4 s), the DOWN/s of each reads
# within 10 % of its pace on every frame, and the header's receive total
# within 10 % of their sum.
. "$VISNET_TESTS/tui/tuilib.sh"

require_root_bpf
pyexe=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || skip "python3 is not installed"

name="vnrate$$"
ln -s "$pyexe" "$TUI_TMP/$name" || fail "cannot link $pyexe"
port=$((40000 + ($$ + 13) % 20000))
pids=()
rate_cleanup() {
   for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
   tui_cleanup
}
trap rate_cleanup EXIT INT TERM

# the server sends each client KIB KiB a second, in 10 slices, for 40 s
PORT=$port "$TUI_TMP/$name" -c 'import os, socket, threading, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(os.environ["PORT"])))
srv.listen(4)
def pace(c):
    kib = int(c.recv(16))
    chunk = b"x" * (kib * 1024 // 10)
    t = time.monotonic()
    for i in range(400):
        c.sendall(chunk)
        t += 0.1
        time.sleep(max(0, t - time.monotonic()))
for _ in range(2):
    threading.Thread(target=pace, args=(srv.accept()[0],), daemon=True).start()
time.sleep(45)' &
pids+=($!)
wait_listen "$port"
client='import os, socket, time
s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])))
s.sendall(os.environ["KIB"].encode())
while s.recv(1 << 16):
    pass'
tui_start -x 160 -y 30 --sort rate --filter "$name" -d 10
wait_for 'PID +USER +CONNS' 20
PORT=$port KIB=400 "$TUI_TMP/$name" -c "$client" &
pids+=($!)
fast=$!
PORT=$port KIB=100 "$TUI_TMP/$name" -c "$client" &
pids+=($!)
slow=$!
wait_for "^ *$slow " 10
sleep 4

# DOWN/s: columns 31 to 36 of a process row (PID 7, USER 8, CONNS 5, UP/s 6)
kib() { python3 -c '
import sys
t = sys.argv[1].strip()
u = {"K": 1, "M": 1024, "G": 1024 * 1024}
print(int(float(t[:-1]) * u[t[-1]]) if t and t[-1] in u else 0)' "$1"; }
within() { [ "$1" -ge $(($2 * 9 / 10)) ] && [ "$1" -le $(($2 * 11 / 10)) ]; }
for frame in 1 2 3 4 5 6; do
   screen=$(cap)
   f=$(grep -nE "^ *$fast +root" <<<"$screen" | head -1)
   s=$(grep -nE "^ *$slow +root" <<<"$screen" | head -1)
   [ -n "$f" ] && [ -n "$s" ] || { echo "$screen" >&2; fail "frame $frame: a client row is missing"; }
   [ "${f%%:*}" -lt "${s%%:*}" ] || { echo "$screen" >&2; fail "frame $frame: the slower client is above the faster"; }
   fk=$(kib "$(cut -c31-36 <<<"${f#*:}")")
   sk=$(kib "$(cut -c31-36 <<<"${s#*:}")")
   within "$fk" 400 || { echo "$screen" >&2; fail "frame $frame: the 400 KiB/s download reads ${fk}K"; }
   within "$sk" 100 || { echo "$screen" >&2; fail "frame $frame: the 100 KiB/s download reads ${sk}K"; }
   total=$(sed -n '2p' <<<"$screen" | sed -E 's/^(↓|rx )([0-9.]+[KMG]).*/\2/')
   tk=$(kib "$total")
   within "$tk" 500 || { echo "$screen" >&2; fail "frame $frame: the header's receive total reads $total"; }
   echo "ok   frame $frame: ${fk}K and ${sk}K, total $total, the faster first"
   sleep 1
done
keys q
wait_for 'EXITED:0'
pass
