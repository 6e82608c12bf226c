#!/bin/bash
# test_udp.sh: UDP request/reply between two network namespaces: an
# unconnected IPv4 client (sendto/recvfrom) and a connected IPv6 client
# (connect/send/recv) against servers using recvfrom/sendto and
# recvmsg/sendmsg. Each side must report its peer with the datagram count
# and the bytes, exactly (each datagram once), in both probe modes; the
# connected client (send/recv carry no address) is counted from the
# socket's peer and reports its connect().
. "$(dirname "$0")/lib.sh"
vn_require
vn_netns_pair vnp-udp 12
A=vnp-udp-a B=vnp-udp-b
K=6
for mode in default trace; do
   [ $mode = trace ] && VN_CMD+=(--probe-bytes trace) # the option; test_udp_batch.sh uses its alias
   rm -f "$VN_TMP"/[sc][46]*
   vn_start
   ip netns exec $A $VN_APP udpserver --bind 10.200.12.1 --port 5304 --count $K --out "$VN_TMP/s4" &
   VN_PIDS+=($!)
   ip netns exec $A $VN_APP udpserver --bind fd00:200:12::1 --port 5306 --count $K --out "$VN_TMP/s6" &
   VN_PIDS+=($!)
   vn_wait_file "$VN_TMP/s4.ready"
   vn_wait_file "$VN_TMP/s6.ready"
   ip netns exec $B $VN_APP udpclient --addr 10.200.12.1 --port 5304 --count $K --out "$VN_TMP/c4" ||
      vn_fail "udp client v4"
   ip netns exec $B $VN_APP udpclient --addr fd00:200:12::1 --port 5306 --count $K --connect \
      --out "$VN_TMP/c6" || vn_fail "udp client v6"
   vn_wait_file "$VN_TMP/s4"
   vn_wait_file "$VN_TMP/s6"
   vn_stop 1.5

   cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
K = $K
NSA, NSB = $(vn_netns_ino $A), $(vn_netns_ino $B)

mode = "$mode"
for v, sa, ca in ((4, "10.200.12.1", "10.200.12.2"), (6, "fd00:200:12::1", "fd00:200:12::2")):
    s = read_kv("$VN_TMP/s%d" % v)
    c = read_kv("$VN_TMP/c%d" % v)
    port = 5300 + v
    if True:
        e = ev.last_udp_peer("v%d client" % v, c["pid"], c["lport"], sa, port, NSB)
        ev.check(e.get("count") == 2 * K and e.get("tx") == c["tx"] and e.get("rx") == c["rx"],
                 "v%d client: count %d tx %d rx %d (%s)" % (v, 2 * K, c["tx"], c["rx"],
                 (e.get("count"), e.get("tx"), e.get("rx"))))
        # an unconnected socket is bound to the wildcard: its source address
        # is chosen per datagram, the socket has none
        want = ca if v == 6 else "0.0.0.0"
        ev.check(e.get("laddr") == want, "v%d client: laddr %s (%s)" % (v, want, e.get("laddr")))
    e = ev.last_udp_peer("v%d server" % v, s["pid"], port, ca, c["lport"], NSA)
    ev.check(e.get("count") == 2 * K and e.get("tx") == s["tx"] and e.get("rx") == s["rx"],
             "v%d server: count %d tx %d rx %d (%s)" % (v, 2 * K, s["tx"], s["rx"],
             (e.get("count"), e.get("tx"), e.get("rx"))))
c = read_kv("$VN_TMP/c6")
con = ev.conn(type="connect", pid=c["pid"], proto="udp")
ev.check(len(con) == 1 and con[0]["raddr"] == "fd00:200:12::1" and con[0]["rport"] == 5306
         and con[0]["lport"] == c["lport"] and con[0]["dir"] == "out",
         "v6 connected client: one UDP connect event with its peer (%s)" % con)
c = read_kv("$VN_TMP/c4")
ev.check(not ev.conn(type="connect", pid=c["pid"]), "v4 unconnected client: no connect event")
ev.done()
PY
   vn_check "$VN_TMP/check.py"
done
echo PASS
