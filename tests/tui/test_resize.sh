#!/bin/bash
# Resizing: 80x24, 100x30 and 200x60 redraw at once with the rows that
# fit and the columns that fit: at 80 columns PID and the rates (USER and
# CONNS go first), the process, the remote and its state; from 120 the RTT
# and RETR columns too. Below 60x10 a one-line message, and the screen
# comes back when it grows.
. "$VISNET_TESTS/tui/tuilib.sh"

tui_start -x 120 -y 40
wait_ready

check_frame() { # W H TITLES
   local w=$1 h=$2 titles=$3 screen n long
   wait_for "$titles"
   screen=$(cap)
   echo "$screen" | grep -Eq '← 10\.0\.0\.5:51234 on :22 ESTABLISHED' || { echo "$screen" >&2; fail "${w}x${h}: no remote with its state"; }
   n=$(echo "$screen" | wc -l)
   [ "$n" -le "$h" ] || fail "${w}x${h}: $n lines captured"
   local LC_ALL=C.UTF-8 line
   while IFS= read -r line; do
      [ "${#line}" -le "$w" ] || fail "${w}x${h}: line wider than the screen: $line"
   done <<<"$screen"
   echo "$screen" | grep -q 'systemd' || fail "${w}x${h}: first row missing"
   echo "$screen" | tail -1 | grep -Eq 'help|q quit' || { echo "$screen" >&2; fail "${w}x${h}: footer not on the last line"; }
}

T resize-window -x 80 -y 24
wait_for '^.{70,80}$'
check_frame 80 24 '^ +PID +UP/s +DOWN/s  PROCESS / REMOTE'
T resize-window -x 200 -y 60
wait_for 'LISTEN \[::\]:22'
check_frame 200 60 'PID +USER +CONNS +UP/s +DOWN/s +RTT +RETR  PROCESS / REMOTE'
# everything of the sample fits on 60 lines
wait_for "without a known owner" 5

T resize-window -x 50 -y 8
wait_for 'terminal too small \(50x8\), need at least 60x10'
[ "$(cap | grep -c .)" = 1 ] || { cap >&2; fail "too small: more than the one-line message"; }
T resize-window -x 100 -y 30
wait_gone 'terminal too small'
check_frame 100 30 'PID +USER +CONNS +UP/s +DOWN/s  PROCESS / REMOTE'

# keys still work after all that
keys q
wait_for 'EXITED:0'
pass
