#!/bin/bash
# test_limits.sh: a behaviour docs/LIMITS.md states, shown as it is:
# datagrams received on an unconnected UDP socket by recv() (no address
# asked for) are not counted, as the peer is nowhere to be read; the
# sender's side, which names the peer, is.
. "$(dirname "$0")/lib.sh"
vn_require
P0=$((25000 + RANDOM % 2000))
vn_start
python3 - "$P0" "$VN_TMP/u" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
open(sys.argv[2] + ".ready", "w").write("pid=%d\n" % os.getpid())
n = sum(len(s.recv(100)) for _ in range(3))
open(sys.argv[2] + ".tmp", "w").write("pid=%d\nrx=%d\n" % (os.getpid(), n))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
PY
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/u.ready"
python3 - "$P0" "$VN_TMP/uc" <<'PY' || vn_fail "udp sender"
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    s.sendto(b"x" * (5 + i), ("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write("pid=%d\nlport=%d\n" % (os.getpid(), s.getsockname()[1]))
PY
vn_wait_file "$VN_TMP/u"
vn_stop 1.5

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
P0 = $P0
u, uc = read_kv("$VN_TMP/u"), read_kv("$VN_TMP/uc")
ev.check(u["rx"] == 18, "the receiver got its 3 datagrams (%d bytes)" % u["rx"])
snd = ev.last_udp_peer("sender", uc["pid"], uc["lport"], "127.0.0.1", P0, ev.conn(type="udp_peer", pid=uc["pid"])[-1]["netns"] if ev.conn(type="udp_peer", pid=uc["pid"]) else 0)
ev.check((snd.get("count"), snd.get("tx")) == (3, 18), "sender: 3 datagrams, 18 bytes (%s)" % ((snd.get("count"), snd.get("tx")),))
ev.check(ev.conn(type="udp_peer", pid=u["pid"]) == [], "receiver using recv() without an address: not counted")
ev.done()
PY
vn_check "$VN_TMP/check.py"
echo PASS
