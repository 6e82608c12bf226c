#!/usr/bin/env python3
"""oracle_check.py: compares `visnet --once --json` with `ss` for some ports.

  oracle_check.py JSON PORTS SS_FILE... [--unowned-perm PORTS] [--absent PORTS]

PORTS are comma-separated. Every socket that ss lists on one of PORTS (local
or remote port) must appear in the JSON with the same protocol, addresses,
ports and state, owned by one of the pids ss names; nothing else may appear
on those ports. Sockets on --unowned-perm ports must instead be unowned with
noowner "perm" (an unprivileged run); sockets on --absent ports must not
appear at all (other network namespaces, unprivileged). Exit 0 or 1."""
import ipaddress, json, re, sys

def norm_addr(a):
    a = a.strip("[]")
    if a == "*":
        return "::"
    a = a.split("%")[0]
    ip = ipaddress.ip_address(a)
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ip)

def split_hostport(s):
    host, _, port = s.rpartition(":")
    return norm_addr(host), 0 if port == "*" else int(port)

SS_STATE = {"ESTAB": "ESTABLISHED", "LISTEN": "LISTEN", "UNCONN": "CLOSE",
            "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV", "FIN-WAIT-1": "FIN_WAIT1",
            "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT", "CLOSE-WAIT": "CLOSE_WAIT",
            "LAST-ACK": "LAST_ACK", "CLOSING": "CLOSING"}

def read_ss(path):
    """(proto, laddr, lport, raddr, rport) -> (state, {pids})"""
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) < 6 or f[0] not in ("tcp", "udp"):
            continue
        proto, state = f[0], SS_STATE.get(f[1], f[1])
        laddr, lport = split_hostport(f[4])
        raddr, rport = split_hostport(f[5])
        pids = {int(p) for p in re.findall(r"pid=(\d+)", line)}
        out[(proto, laddr, lport, raddr, rport)] = (state, pids)
    return out

def read_json(path):
    """(proto, laddr, lport, raddr, rport) -> (state, pid, noowner) for every socket."""
    doc = json.load(open(path))
    out = {}
    def walk(x, pid):
        if isinstance(x, dict):
            if "lport" in x and "proto" in x:
                key = (x["proto"], norm_addr(x["laddr"]), x["lport"],
                       norm_addr(x["raddr"]), x["rport"])
                state = x.get("state", "CLOSE")
                if key in out:
                    print(f"duplicate socket in JSON: {key}")
                out[key] = (state, pid, x.get("noowner"))
                return
            if "pid" in x and "comm" in x:
                pid = x["pid"]
            for v in x.values():
                walk(v, pid)
        elif isinstance(x, list):
            for v in x:
                walk(v, pid)
    walk(doc.get("processes", []), 0)
    walk(doc.get("unowned", []), 0)
    return out

def ports_of(s):
    return {int(p) for p in s.split(",") if p}

def main(argv):
    args, unowned, absent = [], set(), set()
    i = 1
    while i < len(argv):
        if argv[i] == "--unowned-perm":
            unowned = ports_of(argv[i + 1]); i += 2
        elif argv[i] == "--absent":
            absent = ports_of(argv[i + 1]); i += 2
        else:
            args.append(argv[i]); i += 1
    jpath, ports, ss_files = args[0], ports_of(args[1]), args[2:]
    ss = {}
    for p in ss_files:
        ss.update(read_ss(p))
    vis = read_json(jpath)
    mine = lambda k: k[2] in ports or k[4] in ports
    ss = {k: v for k, v in ss.items() if mine(k)}
    vis = {k: v for k, v in vis.items() if mine(k)}
    port = lambda k: k[2] if k[2] in ports else k[4]
    errors = 0
    checked = 0
    for k, (state, pids) in sorted(ss.items()):
        if port(k) in absent:
            if k in vis:
                print(f"FAIL: {k} should not be visible, got {vis[k]}"); errors += 1
            continue
        if k not in vis:
            print(f"FAIL: ss lists {k} {state} pids {sorted(pids)}, visnet does not"); errors += 1
            continue
        vstate, vpid, why = vis[k]
        if vstate != state:
            print(f"FAIL: {k} state ss {state} visnet {vstate}"); errors += 1
        if port(k) in unowned:
            if vpid != 0 or why != "perm":
                print(f"FAIL: {k} should be unowned (perm), got pid {vpid} noowner {why}")
                errors += 1
        elif vpid not in pids:
            print(f"FAIL: {k} pid ss {sorted(pids)} visnet {vpid} ({why})"); errors += 1
        checked += 1
    for k, v in sorted(vis.items()):
        if k not in ss:
            print(f"FAIL: visnet lists {k} {v}, ss does not"); errors += 1
    print(f"{checked} sockets checked against ss, {len(ss)} listed by ss on ports "
          f"{sorted(ports)}, {errors} errors")
    return 1 if errors or checked == 0 else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
