#!/usr/bin/env python3
"""tcpapp: small real TCP/UDP programs for the probe tests.

Each writes what it did (pid, tid, ports, bytes) as key=value lines to --out
so that the test can compare with what visnet reported.

  tcpapp.py server  --bind A --port P --reply N [--count K] [--fork] [--delay S] --out F
      (--delay: wait S seconds after the client's FIN before replying)
  tcpapp.py client  --addr A --port P --send N [--count K] [--thread] [--drip D] --out F
      (--drip: first D writes of N bytes, 0.5 s apart, then N bytes)
  tcpapp.py refused --addr A --port P --out F
  tcpapp.py udpserver --bind A --port P --count K --out F
  tcpapp.py udpclient --addr A --port P --count K [--connect] --out F
"""
import argparse
import os
import socket
import sys
import threading
import time


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def write_kv(path, kv):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for k, v in kv.items():
            f.write("%s=%s\n" % (k, v))
    os.rename(tmp, path)


def read_all(s):
    n = 0
    while True:
        d = s.recv(65536)
        if not d:
            return n
        n += len(d)


def serve_one(c, reply, delay=0):
    n = read_all(c)
    time.sleep(delay)
    c.sendall(b"r" * reply)
    c.close()
    return n


def server(a):
    l = socket.socket(family_of(a.bind), socket.SOCK_STREAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((a.bind, a.port))
    l.listen(1024)
    kv = {"pid": os.getpid(), "port": l.getsockname()[1]}
    write_kv(a.out + ".ready", kv)
    for i in range(a.count):
        c, peer = l.accept()
        kv["peer%d_port" % i] = peer[1]
        if a.fork:
            child = os.fork()
            if child == 0:
                l.close()
                serve_one(c, a.reply, a.delay)
                os._exit(0)
            kv["child%d" % i] = child
            c.close()
            os.waitpid(child, 0)
        else:
            kv["rx%d" % i] = serve_one(c, a.reply, a.delay)
    l.close()
    write_kv(a.out, kv)


def client_once(a, kv, i):
    s = socket.socket(family_of(a.addr), socket.SOCK_STREAM)
    s.connect((a.addr, a.port))
    kv["lport%d" % i] = s.getsockname()[1]
    kv["tid%d" % i] = threading.get_native_id()
    for j in range(a.drip):
        s.sendall(b"d" * a.send)
        time.sleep(0.5)
    if a.send:
        s.sendall(b"s" * a.send)
    s.shutdown(socket.SHUT_WR)
    kv["rx%d" % i] = read_all(s)
    s.close()


def client(a):
    kv = {"pid": os.getpid()}
    for i in range(a.count):
        if a.thread:
            t = threading.Thread(target=client_once, args=(a, kv, i))
            t.start()
            t.join()
        else:
            client_once(a, kv, i)
    write_kv(a.out, kv)


def refused(a):
    s = socket.socket(family_of(a.addr), socket.SOCK_STREAM)
    err = 0
    try:
        s.connect((a.addr, a.port))
    except OSError as e:
        err = e.errno
    write_kv(a.out, {"pid": os.getpid(), "errno": err})


def udpserver(a):
    s = socket.socket(family_of(a.bind), socket.SOCK_DGRAM)
    s.bind((a.bind, a.port))
    write_kv(a.out + ".ready", {"pid": os.getpid()})
    kv = {"pid": os.getpid(), "port": s.getsockname()[1]}
    rx = tx = 0
    for i in range(a.count):
        if i % 2 == 0:
            d, peer = s.recvfrom(65536)
        else:  # recvmsg/sendmsg path too
            d, _, _, peer = s.recvmsg(65536)
        rx += len(d)
        reply = b"u" * (len(d) * 2)
        if i % 2 == 0:
            s.sendto(reply, peer)
        else:
            s.sendmsg([reply], [], 0, peer)
        tx += len(reply)
        kv["peer_port"] = peer[1]
    kv["rx"] = rx
    kv["tx"] = tx
    write_kv(a.out, kv)


def udpclient(a):
    s = socket.socket(family_of(a.addr), socket.SOCK_DGRAM)
    s.settimeout(5)
    if a.connect:
        s.connect((a.addr, a.port))
    rx = tx = 0
    for i in range(a.count):
        msg = b"q" * (10 + i)
        if a.connect:
            s.send(msg)
            d = s.recv(65536)
        else:
            s.sendto(msg, (a.addr, a.port))
            d, _ = s.recvfrom(65536)
        tx += len(msg)
        rx += len(d)
    write_kv(a.out, {"pid": os.getpid(), "lport": s.getsockname()[1], "tx": tx, "rx": rx})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--reply", type=int, default=0)
    p.add_argument("--send", type=int, default=0)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--drip", type=int, default=0)
    p.add_argument("--fork", action="store_true")
    p.add_argument("--thread", action="store_true")
    p.add_argument("--connect", action="store_true")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    modes = {"server": server, "client": client, "refused": refused,
             "udpserver": udpserver, "udpclient": udpclient}
    if a.mode not in modes:
        sys.exit("unknown mode " + a.mode)
    modes[a.mode](a)


if __name__ == "__main__":
    main()
