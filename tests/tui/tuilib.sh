# tuilib.sh: drives visnet through a real terminal (tmux) for the tests in
# tests/tui (sourced). Each test gets its own tmux server (-L), killed on
# exit; every wait is bounded.
. "$VISNET_TESTS/lib.sh"

command -v tmux >/dev/null || skip "tmux is not installed"
SAMPLE="$VISNET_TESTS/data/sample.evlog"
[ -r "$SAMPLE" ] || fail "missing $SAMPLE"

TMUX_SOCK="visnet-test-$$"
TUI_TMP=$(mktemp -d /tmp/visnet-tui.XXXXXX)
T() { tmux -L "$TMUX_SOCK" "$@"; }
tui_cleanup() {
   T kill-server >/dev/null 2>&1
   rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT INT TERM

# tui_start [-x W] [-y H] [-e VAR=VAL]... [visnet args]: runs visnet (by
# default on the sample replay) in a fresh tmux session; when visnet exits
# the pane prints EXITED:<status> and an interactive shell takes over.
tui_start() {
   local w=120 h=40 q
   local run="$TUI_TMP/run.sh"
   printf "export LC_ALL=C.UTF-8 LANG=C.UTF-8\n" >"$run"
   while [ $# -gt 0 ]; do
      case "$1" in
      -x) w=$2; shift 2 ;;
      -y) h=$2; shift 2 ;;
      -e) printf 'export %q\n' "$2" >>"$run"; shift 2 ;;
      *) break ;;
      esac
   done
   [ $# -gt 0 ] || set -- --replay "$SAMPLE" --speed 0
   q=$(printf '%q ' "$VISNET" "$@")
   cat >>"$run" <<EOS
$q
echo EXITED:\$?
PS1='$ ' exec sh
EOS
   printf 'set -g status off\nset -g default-terminal screen\n' >"$TUI_TMP/tmux.conf"
   T -f "$TUI_TMP/tmux.conf" new-session -d -x "$w" -y "$h" "bash $run" ||
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

keys() { T send-keys "$@"; }
# literal text, one key at a time (no key-name lookup)
type_text() { T send-keys -l "$1"; }

# line_of REGEX: the first screen line (0-based) matching, or -1
line_of() {
   cap | grep -En -- "$1" | head -1 | cut -d: -f1 | awk '{print ($1 == "" ? -1 : $1 - 1)}'
}

# The pid of visnet (child of the pane's shell).
visnet_pid() {
   local sh
   sh=$(T display -p '#{pane_pid}')
   pgrep -P "$sh" | head -1
}

# The first frame is up once the column titles are drawn.
wait_ready() { wait_for 'PID +USER +CONNS' "${1:-15}"; wait_for 'sshd' 10; }
