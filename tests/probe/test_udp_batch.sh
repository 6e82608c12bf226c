#!/bin/bash
# test_udp_batch.sh: datagrams sent and received in batches (sendmmsg,
# recvmmsg), between two network namespaces: an unconnected IPv4 client
# whose messages carry the server's address, and a connected IPv6 client
# whose messages carry none, against servers that answer every message of
# a recvmmsg with one sendmmsg. N datagrams each way must be counted as
# exactly N, with their bytes, in both probe modes.
. "$(dirname "$0")/lib.sh"
vn_require
vn_lifeapp
vn_netns_pair vnp-mm 13
A=vnp-mm-a B=vnp-mm-b
N=7
for mode in default trace; do
   [ $mode = trace ] && export VISNET_PROBE_BYTES=trace
   rm -f "$VN_TMP"/[sc][46]*
   vn_start
   ip netns exec $A "$LIFE" mmsg-server 10.200.13.1 5404 $N "$VN_TMP/s4" &
   VN_PIDS+=($!)
   ip netns exec $A "$LIFE" mmsg-server fd00:200:13::1 5406 $N "$VN_TMP/s6" &
   VN_PIDS+=($!)
   vn_wait_file "$VN_TMP/s4.ready"
   vn_wait_file "$VN_TMP/s6.ready"
   ip netns exec $B "$LIFE" mmsg-client 10.200.13.1 5404 $N "$VN_TMP/c4" || vn_fail "mmsg client v4"
   ip netns exec $B "$LIFE" mmsg-client fd00:200:13::1 5406 $N "$VN_TMP/c6" connect ||
      vn_fail "mmsg client v6"
   vn_wait_file "$VN_TMP/s4"
   vn_wait_file "$VN_TMP/s6"
   vn_stop 1.5

   cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
N = $N
NSA, NSB = $(vn_netns_ino $A), $(vn_netns_ino $B)

for v, sa, ca in ((4, "10.200.13.1", "10.200.13.2"), (6, "fd00:200:13::1", "fd00:200:13::2")):
    s = read_kv("$VN_TMP/s%d" % v)
    c = read_kv("$VN_TMP/c%d" % v)
    port = 5400 + v
    for tag, kv, lport, raddr, rport, ns in (("client", c, c["lport"], sa, port, NSB),
                                             ("server", s, port, ca, c["lport"], NSA)):
        e = ev.last_udp_peer("$mode v%d %s" % (v, tag), kv["pid"], lport, raddr, rport, ns)
        ev.check(e.get("count") == 2 * N and e.get("tx") == kv["tx"] and e.get("rx") == kv["rx"],
                 "$mode v%d %s: count %d tx %d rx %d (got %s)" % (v, tag, 2 * N, kv["tx"], kv["rx"],
                 (e.get("count"), e.get("tx"), e.get("rx"))))
ev.done()
PY
   vn_check "$VN_TMP/check.py"
done
echo PASS
