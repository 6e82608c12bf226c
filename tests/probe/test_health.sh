#!/bin/bash
# TCP health (root): a connection between two network namespaces has its
# packets dropped for 1.5 s while it sends (a tbf qdisc that holds one
# packet; the netem qdisc is not in this kernel), so TCP retransmits. visnet's bytes lines then carry the
# connection's retransmissions, equal to what ss -ti reports for the same
# socket once it is quiet, and its smoothed RTT close to ss's; --once shows
# both on the socket's line.
. "$(dirname "$0")/lib.sh"
vn_require jq ss tc
N=$((30 + $$ % 40))
vn_netns_pair "vnh$$" "$N"
A=vnh$$-a B=vnh$$-b
SRV=10.200.$N.1 P=$((20000 + RANDOM % 10000))
ip netns exec "$A" python3 - "$SRV" "$P" <<'PY' &
import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2]))); l.listen(4)
c = l.accept()[0]
end = time.monotonic() + 40
while time.monotonic() < end and c.recv(65536):
    pass
PY
VN_PIDS+=($!)
for _ in $(seq 50); do
   ip netns exec "$A" ss -ltnH "sport = :$P" | grep -q . && break
   sleep 0.1
done
vn_start
ip netns exec "$B" python3 - "$SRV" "$P" "$VN_TMP/client" <<'PY' &
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
open(sys.argv[3], "w").write("%d %d\n" % (os.getpid(), s.getsockname()[1]))
chunk = b"x" * 4096
end = time.monotonic() + 6  # 6 s of sending, the path cut in the middle
while time.monotonic() < end:
    s.sendall(chunk)
    time.sleep(0.01)
time.sleep(30)
PY
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/client"
read -r cpid cport <"$VN_TMP/client"
sleep 1.5
ip netns exec "$B" tc qdisc add dev "vn${N}b" root tbf rate 8kbit burst 1600 limit 1600 ||
   vn_fail "tc tbf"
sleep 1.5
ip netns exec "$B" tc qdisc del dev "vn${N}b" root
sleep 6 # the sending is over, the retransmissions are done, the flushes have run

# what the kernel says of the same socket
line=$(ip netns exec "$B" ss -tinH "sport = :$cport" | tr '\n' ' ')
ss_retrans=$(sed -n 's/.*retrans:[0-9]*\/\([0-9]*\).*/\1/p' <<<"$line")
ss_rtt=$(sed -n 's/.* rtt:\([0-9.]*\)\/.*/\1/p' <<<"$line")
[ -n "$ss_retrans" ] && [ "$ss_retrans" -gt 0 ] || vn_fail "no retransmissions said by ss: $line"
"$VISNET" --once >"$VN_TMP/once.txt" 2>/dev/null
vn_stop 0.5
last=$(jq -c --argjson p "$cport" 'select(.type == "bytes" and .lport == $p) | [.retrans, .rtt_us]' "$VN_OUT" | tail -1)
[ -n "$last" ] || vn_fail "no bytes line with retrans for port $cport"
v_retrans=$(jq '.[0]' <<<"$last")
v_rtt=$(jq '.[1]' <<<"$last")
[ "$v_retrans" = "$ss_retrans" ] || vn_fail "retrans: visnet $v_retrans, ss $ss_retrans ($line)"
python3 - "$v_rtt" "$ss_rtt" <<'PY' || vn_fail "rtt: visnet ${v_rtt} us, ss ${ss_rtt} ms"
import sys
v, s = int(sys.argv[1]) / 1000.0, float(sys.argv[2])
sys.exit(0 if v > 0 and abs(v - s) <= max(v, s, 1.0) else 1)
PY
grep -E "tcp $cport -> $SRV:$P ESTABLISHED out .*rtt [0-9.]+(us|ms|s) retrans $ss_retrans\$" "$VN_TMP/once.txt" >/dev/null ||
   vn_fail "--once: $(grep -F ":$P" "$VN_TMP/once.txt")"
echo "ok   $ss_retrans retransmissions, as ss says; rtt ${v_rtt} us (ss ${ss_rtt} ms); --once shows both"
echo PASS
