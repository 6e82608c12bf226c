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

# check_stream FILE: every --json line in FILE against docs/visnet.schema.json.
check_stream() {
   PYTHONPATH="$VISNET_TESTS/probe" python3 -c '
import sys
from evcheck import Events
sys.exit(1 if Events(sys.argv[1]).failures else 0)' "$1" | grep FAIL >&2
   [ "${PIPESTATUS[0]}" = 0 ] || fail "$1: lines that do not follow docs/visnet.schema.json"
}

# check_fleet_document FILE: a --remote --once --json document.
check_fleet_document() {
   local errs
   errs=$(PYTHONPATH="$VISNET_TESTS/probe" python3 -c '
import sys
from evcheck import document_errors
print("\n".join(document_errors(sys.argv[1], "fleet_document")[:5]))' "$1") || fail "$1: not a JSON document"
   [ -z "$errs" ] || fail "$1 does not follow the schema's fleet_document: $errs"
}

# check_document FILE: a --once --json document against the schema's "document".
check_document() {
   local errs
   errs=$(PYTHONPATH="$VISNET_TESTS/probe" python3 -c '
import sys
from evcheck import document_errors
print("\n".join(document_errors(sys.argv[1])[:5]))' "$1") || fail "$1: not a JSON document"
   [ -z "$errs" ] || fail "$1 does not follow the schema's document: $errs"
}
