#!/usr/bin/env python3
"""holders: a TCP connection that changes hands, for the probe tests.

  holders.py scm    --addr A --port P --send N --out F
      connects, passes the socket over a Unix socket (SCM_RIGHTS) to a
      process started before the connect, and closes its own copy; the
      receiver sends N bytes, reads to EOF and closes.
  holders.py daemon --addr A --port P --send N --out F
      connects, then double-forks (the parent and the middle child exit at
      once); the grandchild sends N bytes once both are gone, reads to EOF
      and closes.
Writes pid (the connecting process), holder (the process that used and
closed it), lport, tx and rx to F, once the holder is done.
"""
import argparse
import os
import socket
import sys
import time

from tcpapp import write_kv


def use(s, n):
    s.sendall(b"h" * n)
    s.shutdown(socket.SHUT_WR)
    rx = 0
    while True:
        d = s.recv(65536)
        if not d:
            break
        rx += len(d)
    s.close()
    return rx


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def scm_receiver_main(right, a):
    right.settimeout(10)
    _, fds, _, _ = socket.recv_fds(right, 16, 1)
    s = socket.socket(fileno=fds[0])
    s.settimeout(10)  # the descriptor came non-blocking (create_connection's timeout)
    return use(s, a.send)


def scm_run(a):
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    rpipe, wpipe = os.pipe()
    child = os.fork()
    if child == 0:
        left.close()
        os.close(rpipe)
        rx = scm_receiver_main(right, a)
        os.write(wpipe, str(rx).encode())
        os._exit(0)
    right.close()
    os.close(wpipe)
    time.sleep(0.3)  # the receiver exists before the connection
    s = socket.create_connection((a.addr, a.port), timeout=10)
    kv = {"pid": os.getpid(), "holder": child, "lport": s.getsockname()[1]}
    socket.send_fds(left, [b"x"], [s.fileno()])
    s.close()
    left.close()
    rx = int(os.read(rpipe, 64) or b"-1")
    os.waitpid(child, 0)
    kv.update({"tx": a.send, "rx": rx})
    write_kv(a.out, kv)


def daemon(a):
    s = socket.create_connection((a.addr, a.port), timeout=10)
    kv = {"pid": os.getpid(), "lport": s.getsockname()[1]}
    if os.fork() != 0:
        os._exit(0)  # the parent exits at once
    os.setsid()
    middle = os.getpid()
    if os.fork() != 0:
        os._exit(0)  # and so does the middle child
    kv["middle"] = middle
    kv["holder"] = os.getpid()
    for _ in range(100):  # until both are gone (reparented)
        if os.getppid() != middle:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    kv["rx"] = use(s, a.send)
    kv["tx"] = a.send
    write_kv(a.out, kv)
    os._exit(0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["scm", "daemon"])
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--send", type=int, default=0)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.mode == "scm":
        scm_run(a)
    else:
        daemon(a)


if __name__ == "__main__":
    main()
