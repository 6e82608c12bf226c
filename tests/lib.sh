# lib.sh: shared helpers for the script tests (sourced).
# VISNET: the binary; VISNET_TESTS: tests/ source dir; VISNET_BUILD: build dir.
: "${VISNET:?VISNET must point at the visnet binary}"
: "${VISNET_TESTS:?}"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS"; exit 0; }

# skip REASON: exit 77, or fail under VISNET_REQUIRE_BPF=1 (CI has root and BPF).
skip() {
   if [ "${VISNET_REQUIRE_BPF:-0}" = 1 ]; then
      echo "FAIL (VISNET_REQUIRE_BPF=1, would skip): $*" >&2
      exit 1
   fi
   echo "SKIP: $*"
   exit 77
}

require_root_bpf() {
   [ "$(id -u)" -eq 0 ] || skip "needs root"
   [ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"
}
