#!/bin/bash
# test_dns.sh: getaddrinfo() through glibc against a small DNS responder in
# another network namespace (`ip netns exec` puts /etc/netns/NAME/
# resolv.conf in place). glibc sends the A and AAAA queries with one
# sendmmsg on a connected UDP socket and reads the replies with recvfrom:
# both directions must be counted, exactly, on both sides.
. "$(dirname "$0")/lib.sh"
vn_require
vn_netns_pair vnp-dns 16
A=vnp-dns-a B=vnp-dns-b
mkdir -p /etc/netns/$B || vn_fail "mkdir /etc/netns/$B"
trap 'rm -rf /etc/netns/'$B'; vn_cleanup' EXIT
printf 'nameserver 10.200.16.1\noptions attempts:1 timeout:3\n' >/etc/netns/$B/resolv.conf
vn_start
ip netns exec $A python3 "$(dirname "$0")/dnsd.py" --bind 10.200.16.1 --count 2 --out "$VN_TMP/d" &
VN_PIDS+=($!)
vn_wait_file "$VN_TMP/d.ready"
ip netns exec $B python3 -c '
import os, socket, sys
got = socket.getaddrinfo("svc.visnet.test", 80, proto=socket.IPPROTO_TCP)
with open(sys.argv[1], "w") as f:
    f.write("pid=%d\naddrs=%s\n" % (os.getpid(), ",".join(sorted(a[4][0] for a in got))))
' "$VN_TMP/c" || vn_fail "getaddrinfo"
vn_wait_file "$VN_TMP/d"
vn_stop 1.5

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
d, c = read_kv("$VN_TMP/d"), read_kv("$VN_TMP/c")
ev.check(c["addrs"] == "192.0.2.7,2001:db8::7" and d["queries"] == 2,
         "getaddrinfo got both answers from 2 queries (%s, %d)" % (c["addrs"], d["queries"]))
cli = ev.conn(type="udp_peer", pid=c["pid"], raddr="10.200.16.1", rport=53)
last = cli[-1] if cli else {}
ev.check((last.get("count"), last.get("tx"), last.get("rx")) == (4, d["rx"], d["tx"]),
         "client: 2 queries and 2 replies, tx %d rx %d (%s)" % (d["rx"], d["tx"],
         (last.get("count"), last.get("tx"), last.get("rx"))))
ev.check(last.get("lport") == d["peer_port"], "client: its port %s" % last.get("lport"))
srv = ev.conn(type="udp_peer", pid=d["pid"], lport=53, raddr="10.200.16.2", rport=d["peer_port"])
last = srv[-1] if srv else {}
ev.check((last.get("count"), last.get("tx"), last.get("rx")) == (4, d["tx"], d["rx"]),
         "server: count 4, tx %d rx %d (%s)" % (d["tx"], d["rx"], (last.get("count"), last.get("tx"), last.get("rx"))))
ev.done()
PY
vn_check "$VN_TMP/check.py"
echo PASS
