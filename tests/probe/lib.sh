# lib.sh: shared setup of the probe tests (sourced).
#
# Runs the event source in the background, writing JSON Lines to $VN_OUT:
# by default the real program, `$VISNET --json`; VN_PROBE_CMD overrides it
# (e.g. the probe's own driver, $VISNET_BUILD/bpf/vn_probe_dump).
# Network namespaces, veth pairs and processes are cleaned up by vn_cleanup
# (trap); every wait is bounded.

VN_TMP=$(mktemp -d /tmp/vn-probe-test.XXXXXX)
VN_OUT=$VN_TMP/events.json
VN_ERR=$VN_TMP/visnet.err
VN_PIDS=()
VN_NETNS=()
VN_LINKS=()

vn_skip() {
   if [ "${VISNET_REQUIRE_BPF:-0}" = 1 ]; then
      echo "FAIL (VISNET_REQUIRE_BPF=1): $*"
      exit 1
   fi
   echo "SKIP: $*"
   exit 77
}

vn_fail() {
   VN_KEEP=1
   echo "FAIL: $*"
   [ -s "$VN_ERR" ] && { echo "--- visnet stderr:"; tail -n 20 "$VN_ERR"; }
   exit 1
}

vn_cleanup() {
   local p
   for p in "${VN_PIDS[@]}"; do
      kill "$p" 2>/dev/null
   done
   for p in "${VN_PIDS[@]}"; do
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$p" 2>/dev/null
   done
   for p in "${VN_LINKS[@]}"; do ip link del "$p" 2>/dev/null; done
   for p in "${VN_NETNS[@]}"; do ip netns del "$p" 2>/dev/null; done
   if [ -n "${VN_KEEP:-}" ]; then echo "kept $VN_TMP"; else rm -rf "$VN_TMP"; fi
}
trap vn_cleanup EXIT

vn_require() {
   [ "$(id -u)" = 0 ] || vn_skip "needs root (eBPF probe)"
   [ -r /sys/kernel/btf/vmlinux ] || vn_skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"
   local t
   for t in python3 ip "$@"; do
      command -v "$t" >/dev/null || vn_skip "$t not installed"
   done
   if [ -n "${VN_PROBE_CMD:-}" ]; then
      VN_CMD=($VN_PROBE_CMD)
   else
      [ -n "${VISNET:-}" ] && [ -x "$VISNET" ] || vn_fail "VISNET is not set to the built visnet binary"
      # refresh (and kernel aggregate flush) every 0.2 s
      VN_CMD=("$VISNET" --json -d 2)
   fi
}

# Network namespace pair NAME-a (server side) and NAME-b joined by a veth:
# a = 10.200.N.1 / fd00:200:N::1, b = 10.200.N.2 / fd00:200:N::2.
vn_netns_pair() {
   local name=$1 n=$2
   local a=$name-a b=$name-b
   ip netns add "$a" || vn_fail "ip netns add $a"
   VN_NETNS+=("$a")
   ip netns add "$b" || vn_fail "ip netns add $b"
   VN_NETNS+=("$b")
   ip link add "vn${n}a" type veth peer name "vn${n}b" || vn_fail "veth"
   VN_LINKS+=("vn${n}a")
   ip link set "vn${n}a" netns "$a"
   ip link set "vn${n}b" netns "$b"
   ip -n "$a" addr add "10.200.$n.1/24" dev "vn${n}a"
   ip -n "$b" addr add "10.200.$n.2/24" dev "vn${n}b"
   ip -n "$a" addr add "fd00:200:$n::1/64" dev "vn${n}a" nodad
   ip -n "$b" addr add "fd00:200:$n::2/64" dev "vn${n}b" nodad
   ip -n "$a" link set lo up
   ip -n "$b" link set lo up
   ip -n "$a" link set "vn${n}a" up
   ip -n "$b" link set "vn${n}b" up
}

# Inode of a named network namespace, as the probe reports it.
vn_netns_ino() {
   stat -L -c %i "/run/netns/$1"
}

# Starts the event source; returns once it demonstrably reports events (a
# marker exec shows up in its output).
vn_start() {
   local marker=vn-ready-$$-$RANDOM
   "${VN_CMD[@]}" --duration "${VN_DURATION:-55}" >"$VN_OUT" 2>"$VN_ERR" &
   VN_SRC_PID=$!
   VN_PIDS+=("$VN_SRC_PID")
   for _ in $(seq 100); do
      kill -0 "$VN_SRC_PID" 2>/dev/null || vn_fail "event source exited at start"
      /bin/true "$marker"
      grep -q "$marker" "$VN_OUT" 2>/dev/null && return 0
      sleep 0.1
   done
   vn_fail "no events from ${VN_CMD[*]} within 10 s"
}

# Stops the event source (SIGINT, then waits up to 10 s for it to flush).
vn_stop() {
   sleep "${1:-0.5}"
   kill -INT "$VN_SRC_PID" 2>/dev/null
   for _ in $(seq 100); do
      kill -0 "$VN_SRC_PID" 2>/dev/null || break
      sleep 0.1
   done
   kill -0 "$VN_SRC_PID" 2>/dev/null && vn_fail "event source did not stop on SIGINT"
   wait "$VN_SRC_PID" 2>/dev/null
   local rc=$?
   [ "$rc" = 0 ] || [ "$rc" = 130 ] || vn_fail "event source exited with status $rc"
   return 0
}

# Runs the python checks in $1 (a file) against the events.
vn_check() {
   PYTHONPATH=$(dirname "${BASH_SOURCE[0]}") python3 "$1" "$VN_OUT" "$VN_TMP" || vn_fail "event checks failed (events in $VN_OUT)"
}

# Waits (up to 10 s) for a file to appear.
vn_wait_file() {
   for _ in $(seq 100); do
      [ -e "$1" ] && return 0
      sleep 0.1
   done
   vn_fail "timed out waiting for $1"
}

VN_APP="python3 $(dirname "${BASH_SOURCE[0]}")/tcpapp.py"

# The C test programs (sendmmsg, pthread_exit, io_uring): sets LIFE.
vn_lifeapp() {
   LIFE=${VISNET_BUILD:-}/tests/lifeapp
   [ -x "$LIFE" ] || vn_fail "lifeapp not built ($LIFE)"
}
