# tuilib.sh: drives visnet through a real terminal (tmux) for the tests in
# tests/tui (sourced). Each test gets its own tmux server (-L), killed on
# exit; every wait is bounded.
. "$VISNET_TESTS/lib.sh"

command -v tmux >/dev/null || skip "tmux is not installed"
unset TMUX TMUX_PANE # we may run inside someone's tmux
SAMPLE="$VISNET_TESTS/data/sample.evlog"
[ -r "$SAMPLE" ] || fail "missing $SAMPLE"

# one tmux server per tui_start, so that a new one never races the
# shutdown of the last
TUI_RUN=0
TMUX_SOCK="visnet-test-$$-0"
TUI_TMP=$(mktemp -d /tmp/visnet-tui.XXXXXX)
T() { tmux -L "$TMUX_SOCK" "$@"; }
tui_cleanup() {
   local i
   for ((i = 0; i <= TUI_RUN; i++)); do
      tmux -L "visnet-test-$$-$i" kill-server >/dev/null 2>&1
      rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/visnet-test-$$-$i"
   done
   rm -rf "$TUI_TMP"
   if [ -n "$TUI_NETNS" ]; then
      ip netns del "$TUI_NETNS" 2>/dev/null
      rm -rf "/etc/netns/$TUI_NETNS"
   fi
}
trap tui_cleanup EXIT INT TERM

# tui_offline_netns: a network namespace with only loopback, whose
# resolv.conf names 127.0.0.1 where nothing answers, so that reverse DNS
# sends nothing beyond this machine (root only; prints its name).
TUI_NETNS=
tui_offline_netns() {
   TUI_NETNS="vn-tui-$$"
   ip netns add "$TUI_NETNS" || fail "ip netns add $TUI_NETNS"
   ip -n "$TUI_NETNS" link set lo up || fail "lo up in $TUI_NETNS"
   mkdir -p "/etc/netns/$TUI_NETNS" || fail "mkdir /etc/netns/$TUI_NETNS"
   printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n' >"/etc/netns/$TUI_NETNS/resolv.conf"
}

# tui_start [-x W] [-y H] [-e VAR=VAL]... [-E VAR=VAL]... [visnet args]:
# runs visnet (by default on the sample replay) in a fresh tmux session;
# -e exports to visnet, -E puts into the environment the pane's shell starts
# with, -w FILE holds visnet back until FILE exists (to attach pipe-pane
# first), -n NETNS runs it in that network namespace. When visnet exits the pane prints EXITED:<status> and an interactive
# shell takes over.
tui_start() {
   local w=120 h=40 q penv=() pre=()
   TUI_RUN=$((TUI_RUN + 1))
   TMUX_SOCK="visnet-test-$$-$TUI_RUN"
   local run="$TUI_TMP/run.sh"
   # a settings file of the test's own (tests that want one write it there)
   printf "export LC_ALL=C.UTF-8 LANG=C.UTF-8 XDG_CONFIG_HOME=%q\n" "$TUI_TMP/config" >"$run"
   while [ $# -gt 0 ]; do
      case "$1" in
      -x) w=$2; shift 2 ;;
      -y) h=$2; shift 2 ;;
      -e) printf 'export %q\n' "$2" >>"$run"; shift 2 ;;
      -E) penv+=(-e "$2"); shift 2 ;;
      -n) pre=(ip netns exec "$2"); shift 2 ;;
      -w) printf 'for i in $(seq 100); do [ -e %q ] && break; sleep 0.1; done\n' "$2" >>"$run"
         shift 2 ;;
      *) break ;;
      esac
   done
   [ $# -gt 0 ] || set -- --replay "$SAMPLE" --speed 0
   # ports as numbers, which the tests match; TUI_PORT_NAMES=1 for names
   [ "${TUI_PORT_NAMES:-0}" = 1 ] || set -- -n "$@"
   q=$(printf '%q ' "${pre[@]}" "$VISNET" "$@")
   cat >>"$run" <<EOS
$q
echo EXITED:\$?
PS1='$ ' exec sh
EOS
   printf 'set -g status off\nset -g default-terminal screen\n' >"$TUI_TMP/tmux.conf"
   T -f "$TUI_TMP/tmux.conf" new-session -d -x "$w" -y "$h" "${penv[@]}" "bash $run" ||
      fail "tmux new-session failed"
}

cap() { T capture-pane -p; }

# wait_for REGEX [SECONDS]: until the screen matches (extended regex).
wait_for() {
   local re=$1 t=${2:-10} i
   for ((i = 0; i < t * 10; i++)); do
      cap | grep -Eq -- "$re" && return 0
      sleep 0.1
   done
   echo "--- screen ---" >&2
   cap >&2
   fail "timed out waiting for /$re/"
}

# wait_gone REGEX [SECONDS]: until nothing on screen matches.
wait_gone() {
   local re=$1 t=${2:-10} i
   for ((i = 0; i < t * 10; i++)); do
      cap | grep -Eq -- "$re" || return 0
      sleep 0.1
   done
   echo "--- screen ---" >&2
   cap >&2
   fail "timed out waiting for /$re/ to go"
}

# wait_listen PORT: until something listens on 127.0.0.1:PORT (5 s at most).
wait_listen() {
   local i
   for i in $(seq 50); do
      [[ $(ss -ltn) == *"127.0.0.1:$1 "* ]] && return 0
      sleep 0.1
   done
   fail "nothing listens on 127.0.0.1:$1"
}

keys() { T send-keys "$@"; }
# mouse_click X Y [BUTTON]: an X10 mouse event at screen column X, line Y
# (from 0), as tmux passes one on with TERM=screen: the left button (0)
# pressed and released, or a wheel notch (64 up, 65 down).
mouse_click() {
   local b=${3:-0} at
   at=$(printf '%b%b' "\\x$(printf %x $((33 + $1)))" "\\x$(printf %x $((33 + $2)))")
   T send-keys -l "$(printf '\033[M%b' "\\x$(printf %x $((32 + b)))")$at"
   [ "$b" -ge 64 ] || T send-keys -l "$(printf '\033[M#')$at"
}
# literal text, one key at a time (no key-name lookup)
type_text() { T send-keys -l "$1"; }

# line_of REGEX: the first screen line (0-based) matching, or -1
line_of() {
   local n
   n=$(cap | grep -En -- "$1" | head -1 | cut -d: -f1)
   echo $((${n:-0} - 1))
}

# The pid of visnet (child of the pane's shell).
visnet_pid() {
   local sh
   sh=$(T display -p '#{pane_pid}')
   pgrep -P "$sh" | head -1
}

# The first frame is up once the column titles are drawn.
wait_ready() { wait_for 'PID .*DOWN/s' "${1:-15}"; wait_for 'sshd' 10; }
