#!/usr/bin/env python3
"""oracle_hold.py: holds sockets open for the oracle tests.

  oracle_hold.py server HOST PORT N READY   listen, accept N, hold
  oracle_hold.py client HOST PORT N READY   connect N times, send a little, hold
  oracle_hold.py udp HOST PORT READY        a bound UDP socket and a UDP socket
                                            connected to it, hold

READY is written once everything is open. Holds until stdin closes or
HOLD_S seconds (default 120) pass, so nothing outlives a broken test."""
import os, select, socket, sys, time

def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET

def ready(path):
    with open(path + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename(path + ".tmp", path)

def hold():
    end = time.monotonic() + float(os.environ.get("HOLD_S", "120"))
    while time.monotonic() < end:
        r, _, _ = select.select([sys.stdin], [], [], 1)
        if r and not sys.stdin.buffer.read1(64):
            return

def main(argv):
    role, host, port = argv[1], argv[2], int(argv[3])
    keep = []
    if role == "server":
        n, path = int(argv[4]), argv[5]
        s = socket.socket(family(host), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(16)
        keep.append(s)
        s.settimeout(30)
        for _ in range(n):
            c, _ = s.accept()
            c.recv(16)
            keep.append(c)
    elif role == "client":
        n, path = int(argv[4]), argv[5]
        for _ in range(n):
            c = socket.create_connection((host, port), timeout=30)
            c.sendall(b"hello")
            keep.append(c)
    elif role == "udp":
        path = argv[4]
        u = socket.socket(family(host), socket.SOCK_DGRAM)
        u.bind((host, port))
        c = socket.socket(family(host), socket.SOCK_DGRAM)
        c.connect((host, port))
        c.send(b"ping")
        u.recv(16)
        keep += [u, c]
    else:
        sys.exit("unknown role " + role)
    ready(path)
    hold()

if __name__ == "__main__":
    main(sys.argv)
