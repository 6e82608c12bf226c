#!/bin/bash
# test_compat.sh: the probe built for kernels without the bpf_rdonly_cast
# kfunc (before 6.2), which reads kernel fields with bpf_probe_read_kernel.
# VISNET_PROBE_COMPAT=1 selects it here; the loader says so under -v, and
# the TCP edge cases and the UDP checks pass on it as on the default one.
. "$(dirname "$0")/lib.sh"
vn_require
DUMP=$VISNET_BUILD/bpf/vn_probe_dump
MSG="no bpf_rdonly_cast kfunc"
VISNET_PROBE_COMPAT=1 "$DUMP" --duration 0.2 -v >/dev/null 2>"$VN_TMP/compat.err" ||
   vn_fail "vn_probe_dump failed with VISNET_PROBE_COMPAT=1: $(tail -n 1 "$VN_TMP/compat.err")"
grep -q "$MSG" "$VN_TMP/compat.err" || vn_fail "VISNET_PROBE_COMPAT=1 did not select the compat probe"
if bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "FUNC 'bpf_rdonly_cast'"; then
   "$DUMP" --duration 0.2 -v >/dev/null 2>"$VN_TMP/default.err" || vn_fail "vn_probe_dump failed"
   grep -q "$MSG" "$VN_TMP/default.err" && vn_fail "the compat probe was chosen on a kernel with the kfunc"
fi
export VISNET_PROBE_COMPAT=1
bash "$VISNET_TESTS/probe/test_tcp_edge.sh" || vn_fail "test_tcp_edge.sh on the compat probe"
bash "$VISNET_TESTS/probe/test_udp.sh" || vn_fail "test_udp.sh on the compat probe"
echo "compat probe: selected, TCP edge cases and UDP pass"
