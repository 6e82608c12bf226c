#!/usr/bin/env python3
"""dnsd: a tiny DNS responder for the probe tests (UDP only).

  dnsd.py --bind A --count K --out F
Answers K queries (A: 192.0.2.7, AAAA: 2001:db8::7, anything else: an empty
answer), then writes pid, queries, rx and tx (bytes) to F. Gives up after
20 s without a query.
"""
import argparse
import os
import socket
import struct


def answer(q):
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    end = 12
    while q[end] != 0:
        end += q[end] + 1
    qname = q[12:end + 1]
    qtype, qclass = struct.unpack("!HH", q[end + 1:end + 5])
    question = q[12:end + 5]
    rdata = {1: socket.inet_pton(socket.AF_INET, "192.0.2.7"),
             28: socket.inet_pton(socket.AF_INET6, "2001:db8::7")}.get(qtype)
    head = struct.pack("!HHHHHH", qid, 0x8180, 1, 1 if rdata else 0, 0, 0)
    if not rdata:
        return head + question
    rr = b"\xc0\x0c" + struct.pack("!HHIH", qtype, qclass, 60, len(rdata)) + rdata
    return head + question + rr


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bind", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 53))
    s.settimeout(20)
    with open(a.out + ".ready", "w") as f:
        f.write("pid=%d\n" % os.getpid())
    kv = {"pid": os.getpid(), "queries": 0, "rx": 0, "tx": 0}
    try:
        while kv["queries"] < a.count:
            q, peer = s.recvfrom(4096)
            r = answer(q)
            s.sendto(r, peer)
            kv["queries"] += 1
            kv["rx"] += len(q)
            kv["tx"] += len(r)
            kv["peer_port"] = peer[1]
    except socket.timeout:
        pass
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        for k, v in kv.items():
            f.write("%s=%s\n" % (k, v))
    os.rename(tmp, a.out)


if __name__ == "__main__":
    main()
