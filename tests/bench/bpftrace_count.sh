#!/bin/bash
# bpftrace_count.sh: the cheapest probe on the state-change tracepoint, a
# reference for probe_toggle.sh (VISNET_CMD_B=tests/bench/bpftrace_count.sh,
# READY=3): bpftrace counting sock/inet_sock_set_state in a map, printing
# nothing until stopped. Needs root and bpftrace (Debian's package; not a
# dependency of visnet).
command -v bpftrace >/dev/null || { echo "bpftrace_count.sh: bpftrace is not installed" >&2; exit 1; }
exec bpftrace -e 'tracepoint:sock:inet_sock_set_state { @n = count(); }'
