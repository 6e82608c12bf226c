#!/bin/bash
# test_tcp_netns.sh: TCP between two network namespaces joined by a veth,
# over IPv4 and IPv6, and curl against python's http.server. For both ends
# of every connection: pid and comm, addresses, ports, direction, netns,
# the state sequence, the close and the byte counts.
. "$(dirname "$0")/lib.sh"
vn_require curl
vn_netns_pair vnp-tcp 11
A=vnp-tcp-a B=vnp-tcp-b
mkdir -p "$VN_TMP/www"
head -c 20000 /dev/zero | tr '\0' x >"$VN_TMP/www/file"

vn_start
# v4, v6, and an IPv6 socket reaching the v4 server through a v4-mapped
# address (port 5005); all three run at once (each waits 2.5 s)
for v in 4 6 5; do
   SA=10.200.11.1 CA=10.200.11.1
   [ $v = 6 ] && SA=fd00:200:11::1 CA=fd00:200:11::1
   [ $v = 5 ] && CA=::ffff:10.200.11.1
   ip netns exec $A $VN_APP server --bind $SA --port 500$v --reply 3000 --delay 2.5 --out "$VN_TMP/s$v" &
   VN_PIDS+=($!)
   vn_wait_file "$VN_TMP/s$v.ready"
   ip netns exec $B $VN_APP client --addr $CA --port 500$v --send 1234 --out "$VN_TMP/c$v" &
   VN_PIDS+=($!)
done
for v in 4 6 5; do
   vn_wait_file "$VN_TMP/c$v"
   vn_wait_file "$VN_TMP/s$v"
done

ip netns exec $A python3 -m http.server 8080 --bind 10.200.11.1 --directory "$VN_TMP/www" \
   >/dev/null 2>&1 &
HTTPD=$!
VN_PIDS+=($HTTPD)
for _ in $(seq 100); do
   ip netns exec $A ss -Hltn 'sport = :8080' | grep -q 8080 && break
   sleep 0.1
done
ip netns exec $B sh -c "echo \$\$ >'$VN_TMP/curl.pid'; exec curl -s -o /dev/null \
   -w '%{size_request} %{size_header} %{size_download} %{local_port}' \
   http://10.200.11.1:8080/file" >"$VN_TMP/curl.out" || vn_fail "curl"
vn_stop 1

cat >"$VN_TMP/check.py" <<PY
import sys
from evcheck import Events, read_kv
ev = Events(sys.argv[1])
NSA, NSB = $(vn_netns_ino $A), $(vn_netns_ino $B)
for v, sa, ca, fam in ((4, "10.200.11.1", "10.200.11.2", "ipv4"),
                       (6, "fd00:200:11::1", "fd00:200:11::2", "ipv6"),
                       (5, "10.200.11.1", "10.200.11.2", "ipv6")):
    s = read_kv("$VN_TMP/s%d" % v)
    c = read_kv("$VN_TMP/c%d" % v)
    sport, cport = 5000 + v, c["lport0"]
    tag = {4: "v4", 6: "v6", 5: "v4-mapped"}[v]
    ev.check(c["rx0"] == 3000 and s["rx0"] == 1234, tag + ": the programs exchanged 1234/3000 bytes")
    # client end
    cl = ev.conn(pid=c["pid"], lport=cport, rport=sport)
    types = [e["type"] for e in cl if e["type"] != "bytes"]
    ev.check(types[:2] == ["connect", "connected"] and types[-1:] == ["close"],
             tag + ": client events connect, connected ... close (%s)" % types)
    # the client waits 2.5 s in FIN_WAIT2 for the reply: that state lasts
    # and must be reported; FIN_WAIT1 lasts microseconds and may not be
    states = [e.get("state") for e in cl if e["type"] != "bytes"]
    ev.check(states in (["SYN_SENT", "ESTABLISHED", "FIN_WAIT2", "CLOSE"],
                        ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE"]),
             tag + ": client state sequence (%s)" % states)
    ev.check(all(e["laddr"] == ca and e["raddr"] == sa and e["dir"] == "out" and
                 e["netns"] == NSB and e["proto"] == "tcp" and e["tid"] == c["pid"] and
                 e["family"] == fam for e in cl),
             tag + ": client addresses (%s -> %s), family %s, direction out, netns, tid" % (ca, sa, fam))
    ev.check(ev.comm_of(c["pid"]) == "python3", tag + ": client comm python3")
    close = [e for e in cl if e["type"] == "close"]
    ev.check(close and close[0]["tx"] == 1234 and close[0]["rx"] == 3000,
             tag + ": client close tx 1234 rx 3000 (%s)" % [(e["tx"], e["rx"]) for e in close])
    ev.check(close and close[0]["lifetime_ns"] > 0, tag + ": client lifetime")
    # server end
    sv = ev.conn(pid=s["pid"], lport=sport, rport=cport)
    types = [e["type"] for e in sv if e["type"] != "bytes"]
    ev.check(types[:1] == ["accept"] and types[-1:] == ["close"],
             tag + ": server events accept ... close (%s)" % types)
    states = [e.get("state") for e in sv if e["type"] != "bytes"]
    ev.check(states in (["ESTABLISHED", "CLOSE_WAIT", "CLOSE"],
                        ["CLOSE_WAIT", "CLOSE"]),
             tag + ": server state sequence (%s)" % states)
    ev.check(all(e["laddr"] == sa and e["raddr"] == ca and e["dir"] == "in" and
                 e["netns"] == NSA for e in sv), tag + ": server addresses, direction in, netns")
    close = [e for e in sv if e["type"] == "close"]
    ev.check(close and close[0]["tx"] == 3000 and close[0]["rx"] == 1234,
             tag + ": server close tx 3000 rx 1234")
    live = [e for e in sv if e["type"] in ("state", "bytes")]
    ev.check(any(e["state"] == "CLOSE_WAIT" and e["rx"] == 1234 and e["tx"] == 0 for e in live),
             tag + ": server reported in CLOSE_WAIT with the 1234 bytes received so far")
    lis = ev.conn(type="listen", pid=s["pid"], lport=sport)
    ev.check(len(lis) == 1 and lis[0]["laddr"] == sa and lis[0]["dir"] == "listen",
             tag + ": one listen event by the server")
    ev.check(ev.comm_of(s["pid"]) == "python3", tag + ": server comm python3")

# curl against http.server
req, hdr, body, cport = map(int, open("$VN_TMP/curl.out").read().split())
cpid = int(open("$VN_TMP/curl.pid").read())
cl = ev.conn(pid=cpid, lport=cport, rport=8080)
ev.check([e["type"] for e in cl][:2] == ["connect", "connected"], "curl: connect, connected")
ev.check(ev.comm_of(cpid) == "curl", "curl: comm curl (%s)" % ev.comm_of(cpid))
close = [e for e in cl if e["type"] == "close"]
ev.check(close and close[0]["tx"] == req and close[0]["rx"] == hdr + body,
         "curl: close tx %d rx %d (%s)" % (req, hdr + body, [(e["tx"], e["rx"]) for e in close]))
sv = ev.conn(pid=$HTTPD, lport=8080, rport=cport)
ev.check(sv and sv[0]["type"] == "accept" and sv[0]["raddr"] == "10.200.11.2",
         "http.server: accept from 10.200.11.2")
close = [e for e in sv if e["type"] == "close"]
ev.check(close and close[0]["tx"] == hdr + body and close[0]["rx"] == req,
         "http.server: close tx %d rx %d" % (hdr + body, req))
ev.check(ev.comm_of($HTTPD) == "python3", "http.server: comm python3")
ev.done()
PY
vn_check "$VN_TMP/check.py"
echo PASS
