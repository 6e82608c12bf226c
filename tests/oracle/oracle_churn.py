#!/usr/bin/env python3
"""oracle_churn.py: connections opening and closing on loopback, for the live
merge test.

  oracle_churn.py PORT HELD SECONDS LOG

Serves 127.0.0.1:PORT, opens HELD connections kept to the end, then for
SECONDS opens a connection every 0.1 s, sends 100 bytes and closes it
0.15 s later. LOG gets "held LPORT" and "churn LPORT OPEN_NS CLOSE_NS"
lines (CLOCK_BOOTTIME, the clock of visnet's events), then "done"."""
import socket, sys, threading, time

def boot_ns():
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME)

def serve(lsock):
    while True:
        try:
            c, _ = lsock.accept()
        except OSError:
            return
        threading.Thread(target=drain, args=(c,), daemon=True).start()

def drain(c):
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()

def main():
    port, held, seconds, path = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    log = open(path, "w", buffering=1)
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", port))
    l.listen(64)
    threading.Thread(target=serve, args=(l,), daemon=True).start()
    keep = []
    for _ in range(held):
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(b"h" * 10)
        keep.append(c)
        log.write(f"held {c.getsockname()[1]}\n")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = boot_ns()
        c = socket.create_connection(("127.0.0.1", port))
        lport = c.getsockname()[1]
        c.sendall(b"x" * 100)
        time.sleep(0.15)
        c.close()
        log.write(f"churn {lport} {t0} {boot_ns()}\n")
        time.sleep(0.1)
    for c in keep:
        c.close()
    log.write("done\n")

if __name__ == "__main__":
    main()
