#!/bin/bash
# test_owner_move.sh: a connection that changes hands keeps the right
# owner over its whole life, on loopback:
#  1. a server that accepts and forks a child that serves the connection:
#     the accept is the parent's, an owner event moves the socket to the
#     child, and the child's close carries the bytes it moved;
#  2. a socket passed over a Unix socket (SCM_RIGHTS) to a process started
#     before it: the receiver sends, reads and closes;
#  3. a client that connects, then double-forks while its parent exits: the
#     grandchild uses and closes the connection;
#  4. a forked child that closes the accepted socket at once (SO_LINGER 0),
#     without a byte sent or received: the reset is the child's.
. "$(dirname "$0")/lib.sh"
vn_require
P0=$((21000 + RANDOM % 2000))
HOLD="python3 $(dirname "$0")/holders.py"
vn_start
$VN_APP server --bind 127.0.0.1 --port $P0 --reply 300 --fork --out "$VN_TMP/fs" &
VN_PIDS+=($!)
$VN_APP server --bind 127.0.0.1 --port $((P0 + 1)) --reply 700 --count 2 --out "$VN_TMP/ps" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/fs.ready"
vn_wait_file "$VN_TMP/ps.ready"
$VN_APP client --addr 127.0.0.1 --port $P0 --send 200 --out "$VN_TMP/fc" || vn_fail "fork client"
$HOLD scm --port $((P0 + 1)) --send 4000 --out "$VN_TMP/scm" || vn_fail "scm client"
$HOLD daemon --port $((P0 + 1)) --send 5000 --out "$VN_TMP/dmn" || vn_fail "daemon client"
vn_wait_file "$VN_TMP/dmn"
vn_wait_file "$VN_TMP/ps"
python3 - "$((P0 + 2))" "$VN_TMP/a" <<'PY' &
import os, socket, struct, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen(4)
open(sys.argv[2] + ".ready", "w").write("pid=%d\n" % os.getpid())
c, peer = l.accept()
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.read(r, 1)  # the parent has closed its copy
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()      # a reset, without a byte sent or received
    os._exit(0)
c.close()
os.write(w, b"x")
os.waitpid(child, 0)
open(sys.argv[2] + ".tmp", "w").write("pid=%d\nchild=%d\npeer_port=%d\n" % (os.getpid(), child, peer[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
PY
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/a.ready"
python3 - "$((P0 + 2))" <<'PY' || vn_fail "tcp client"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
try:
    s.recv(10)
except OSError:
    pass
s.close()
PY
vn_wait_file "$VN_TMP/a"
vn_stop 1.5

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
P0 = $P0

# 1. accept, then fork
fs, fc = read_kv("$VN_TMP/fs"), read_kv("$VN_TMP/fc")
srv = dict(lport=P0, rport=fc["lport0"])
child = fs["child0"]
acc = ev.conn(type="accept", **srv)
ev.check([e["pid"] for e in acc] == [fs["pid"]], "fork: one accept, by the parent %d (%s)" % (fs["pid"], [e["pid"] for e in acc]))
own = ev.conn(type="owner", **srv)
ev.check([(e["pid"], e["old_pid"]) for e in own] == [(child, fs["pid"])],
         "fork: one owner event, %d -> %d (%s)" % (fs["pid"], child, [(e.get("old_pid"), e["pid"]) for e in own]))
cl = ev.conn(type="close", **srv)
ev.check([(e["pid"], e["tx"], e["rx"]) for e in cl] == [(child, 300, 200)],
         "fork: closed by the child %d, tx 300 rx 200 (%s)" % (child, [(e["pid"], e["tx"], e["rx"]) for e in cl]))
if own and acc:
    ev.check(acc[0]["ts"] <= own[0]["ts"] <= cl[0]["ts"] if cl else False, "fork: accept, owner, close in time order")

# 2. SCM_RIGHTS, 3. double fork
for tag, f in (("scm", "scm"), ("daemon", "dmn")):
    kv = read_kv("$VN_TMP/" + f)
    ev.check(kv["rx"] == 700, "%s: the holder read the server's 700 bytes (%d)" % (tag, kv["rx"]))
    cli = dict(lport=kv["lport"], rport=P0 + 1)
    con = ev.conn(type="connect", **cli)
    ev.check([e["pid"] for e in con] == [kv["pid"]], "%s: connect by %d (%s)" % (tag, kv["pid"], [e["pid"] for e in con]))
    own = ev.conn(type="owner", **cli)
    ev.check([(e["pid"], e["old_pid"]) for e in own] == [(kv["holder"], kv["pid"])],
             "%s: one owner event %d -> %d (%s)" % (tag, kv["pid"], kv["holder"], [(e.get("old_pid"), e["pid"]) for e in own]))
    cl = ev.conn(type="close", **cli)
    ev.check([(e["pid"], e["tx"], e["rx"]) for e in cl] == [(kv["holder"], kv["tx"], 700)],
             "%s: closed by the holder %d, tx %d rx 700 (%s)" % (tag, kv["holder"], kv["tx"], [(e["pid"], e["tx"], e["rx"]) for e in cl]))
    ev.check(not [e for e in ev.conn(**cli) if e["pid"] not in (kv["pid"], kv["holder"])],
             "%s: no event of the connection names a third process" % tag)
# 4. an abortive close by a child that never used the socket
a = read_kv("$VN_TMP/a")
srv = dict(lport=P0 + 2, rport=a["peer_port"])
own = ev.conn(type="owner", **srv)
ev.check([(e["pid"], e["old_pid"]) for e in own] == [(a["child"], a["pid"])],
         "abort: one owner event %d -> %d (%s)" % (a["pid"], a["child"], [(e.get("old_pid"), e["pid"]) for e in own]))
cl = ev.conn(type="close", **srv)
ev.check([e["pid"] for e in cl] == [a["child"]], "abort: the reset is the child's %d (%s)" % (a["child"], [e["pid"] for e in cl]))
ev.check([e["pid"] for e in ev.conn(type="accept", **srv)] == [a["pid"]], "abort: the accept is the parent's")
ev.done()
PY
vn_check "$VN_TMP/check.py"
echo PASS
