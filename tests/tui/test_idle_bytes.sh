#!/bin/bash
# Made for ssh: once the first frame is drawn, an idle visnet writes almost
# nothing to its terminal (the clock once a second, ages in 10 s steps), and
# never redraws the whole screen. The bytes reaching the pane are recorded
# with tmux pipe-pane over 10 s.
. "$VISNET_TESTS/tui/tuilib.sh"

out="$TUI_TMP/pane.bytes"
tui_start -w "$TUI_TMP/go"
T pipe-pane -o "cat >>'$out'"
touch "$TUI_TMP/go"
wait_ready
sleep 3 # let the first frames and the initial ages settle
before=$(stat -c %s "$out")
first=$before
sleep 10
after=$(stat -c %s "$out")
idle=$((after - before))
rate=$((idle / 10))
echo "first frames: $first bytes; idle: $idle bytes in 10 s ($rate bytes/s)"
[ "$first" -gt 1000 ] || fail "pipe-pane recorded too little for a first frame ($first bytes)"
[ "$rate" -lt 200 ] || fail "idle output $rate bytes/s (limit 200)"
# no clear-screen or erase-display in the idle part
tail -c "$idle" "$out" | LC_ALL=C grep -aq $'\e\\[2J\|\e\\[H\e\\[J' && fail "full redraw while idle"
# moving the selection one row sends a few hundred bytes, not a screen
before=$(stat -c %s "$out")
keys j
sleep 0.5
after=$(stat -c %s "$out")
echo "one key (j): $((after - before)) bytes"
[ $((after - before)) -lt 1500 ] || fail "moving the selection sent $((after - before)) bytes"
keys q
wait_for 'EXITED:0'
pass
