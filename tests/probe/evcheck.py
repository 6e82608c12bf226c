"""evcheck: reading visnet's JSON Lines events and asserting on them.

Used by the probe tests: each check prints one line, failures are counted
and the script exits non-zero if any failed.
"""
import json
import os
import re
import sys

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                      "visnet.schema.json")
_validators = {}


def _jsonschema():
    try:
        import jsonschema
    except ImportError:  # a Python of its own (pyenv) beside Debian's python3-jsonschema
        sys.path.append("/usr/lib/python3/dist-packages")
        import jsonschema
    return jsonschema


def document_errors(path, definition="document"):
    """What is wrong with a --once --json document (the schema's 'document',
    or 'fleet_document' for --remote)."""
    schema_errors({"type": "hello"})  # loads the validators
    doc = json.load(open(path))
    return [e.message for e in _validators[definition].iter_errors(doc)]


def schema_errors(obj):
    """What is wrong with one line against docs/visnet.schema.json, checked
    against the definition its type names (clearer than the oneOf)."""
    if not _validators:
        js = _jsonschema()
        schema = json.load(open(SCHEMA))
        for name in schema["definitions"]:
            sub = {k: v for k, v in schema.items() if k != "oneOf"}
            sub["$ref"] = "#/definitions/" + name
            _validators[name] = js.Draft7Validator(sub)
    t = obj.get("type") if isinstance(obj, dict) else None
    name = {"hello": "hello", "bye": "bye", "lost": "lost", "exec": "proc_event", "proc": "proc_event",
            "fork": "fork", "exit": "exit", "ready": "ready", "host": "host_status"}.get(t, "sock_event")
    return [e.message for e in _validators[name].iter_errors(obj)]

# A kernel address (x86-64 and arm64 kernel half: 0xffff8000... and up), as
# hex text or as a decimal number: it must reach no output (sockid.h).
ADDR_HEX = re.compile(r"0x[89a-fA-F][0-9a-fA-F]{15}")
ADDR_DEC = re.compile(r"(?<![0-9])(1[0-9]{19}|9[2-9][0-9]{17})(?![0-9])")


def kernel_addresses(text):
    """The kernel addresses written in text (hex or decimal)."""
    return ADDR_HEX.findall(text) + [d for d in ADDR_DEC.findall(text) if int(d) >= 0xffff800000000000]


def evlog_sk(data):
    """The flags of an event log's header and the sk of its socket records,
    decoded as core/evlog/evlog.h lays them out."""
    import struct
    flags = struct.unpack_from("<I", data, 12)[0]
    sks, off = [], 100
    while off + 8 <= len(data):
        n = struct.unpack_from("<I", data, off)[0]
        payload = data[off + 8:off + 8 + n]
        if len(payload) < n:
            break
        if struct.unpack_from("<H", payload, 0)[0] not in (1, 2, 3, 4):  # not a process event
            sks.append(struct.unpack_from("<Q", payload, 28)[0])
        off += 8 + n
    return flags, sks


class Events:
    def __init__(self, path):
        self.all = []
        self.bad = 0
        self.leaks = []
        self.invalid = []
        with open(path, errors="replace") as f:
            for line in f:
                line = line.strip()
                self.leaks += kernel_addresses(line)
                if not line.startswith("{"):
                    continue
                try:
                    self.all.append(json.loads(line))
                except ValueError:
                    self.bad += 1
                    continue
                for err in schema_errors(self.all[-1]):
                    self.invalid.append("%s: %s" % (self.all[-1].get("type"), err))
        self.failures = 0
        if self.leaks:
            self.check(False, "kernel addresses in the JSON: %s" % self.leaks[:3])
        if self.invalid or self.bad:
            self.check(False, "%d lines against docs/visnet.schema.json, %d not JSON: %s"
                       % (len(self.invalid), self.bad, self.invalid[:3]))

    def find(self, **kw):
        """Events whose fields equal every keyword (type= is the event type)."""
        out = []
        for e in self.all:
            if all(e.get(k) == v for k, v in kw.items()):
                out.append(e)
        return out

    def conn(self, **kw):
        """Socket events matching kw, in order."""
        return [e for e in self.find(**kw) if "lport" in e]

    def comm_of(self, pid):
        """The comm of pid after its last exec (or from a snapshot)."""
        for t in ("exec", "proc"):
            got = [e for e in self.find(type=t, pid=pid) if e.get("comm")]
            if got:
                return got[-1]["comm"]
        return None

    def last_udp_peer(self, tag, pid, lport, raddr, rport, netns):
        """The last udp_peer event of pid with that peer (checked to be UDP
        in netns), or {} (a failed check) if there is none."""
        got = self.conn(type="udp_peer", pid=pid, lport=lport, raddr=raddr, rport=rport)
        self.check(len(got) > 0, "%s: udp_peer events for pid %d %d -> %s:%d" % (tag, pid, lport, raddr, rport))
        if not got:
            return {}
        self.check(all(e["proto"] == "udp" and e["netns"] == netns for e in got), tag + ": proto udp, netns")
        return got[-1]

    def check(self, cond, msg):
        print(("ok   " if cond else "FAIL ") + msg)
        if not cond:
            self.failures += 1
        return cond

    def one(self, what, **kw):
        got = self.find(**kw)
        self.check(len(got) == 1, "%s: exactly one %s event (got %d)" % (what, kw, len(got)))
        return got[0] if got else {}

    def done(self):
        self.check(self.bad == 0, "every output line is valid JSON (%d bad)" % self.bad)
        sys.exit(1 if self.failures else 0)


def read_kv(path):
    """Reads 'key=value' lines written by the helper programs."""
    d = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                d[k] = int(v) if v.lstrip("-").isdigit() else v
    return d
