#!/bin/bash
# The mouse, as tmux passes it on (X10 sequences, TERM=screen): a click on
# a column title sorts by it and a second one inverts; a click on a row
# selects it (the details pane then shows that process); the wheel moves
# three rows a notch; --no-mouse leaves the clicks alone.
. "$VISNET_TESTS/tui/tuilib.sh"

col_of() { # the screen column where TEXT starts on line N (1-based)
   cap | sed -n "${1}p" | python3 -c 'import sys; print(sys.stdin.read().find(sys.argv[1]))' "$2"
}

tui_start -x 120 -y 40
wait_ready
x=$(col_of 4 CONNS)
mouse_click "$x" 3
wait_for 'sort conns ▼'
mouse_click "$x" 3
wait_for 'sort conns ▲'
mouse_click "$(col_of 4 RTT)" 3
wait_for 'sort rtt ▼'
mouse_click "$(col_of 4 PROCESS)" 3
wait_for 'sort name ▲'
echo "ok   clicks on CONNS (twice), RTT and PROCESS sort by them, the second mouse_click inverts"

# a mouse_click on a row selects it: the details pane shows its process
keys s s s s s s s s # back to pid (name -> conns ... -> pid)
wait_for 'sort pid ▲'
y=$(line_of 'sshd: alice')
mouse_click 60 "$y"
keys i
wait_for 'Process 4301 sshd' 5
keys Escape
echo "ok   a mouse_click selects its row (details of sshd[4301])"

# the wheel: three rows a notch, from the first row
keys g
T resize-window -x 120 -y 12
wait_for 'systemd  /sbin/init'
mouse_click 60 6 65
mouse_click 60 6 65
mouse_click 60 6 65
wait_gone 'systemd  /sbin/init'
mouse_click 60 6 64
mouse_click 60 6 64
mouse_click 60 6 64
wait_for 'systemd  /sbin/init'
echo "ok   the wheel scrolls down nine rows and back"
keys q
wait_for 'EXITED:0'

# --no-mouse: a mouse_click is no sort
tui_start --replay "$SAMPLE" --speed 0 --no-mouse
wait_ready
mouse_click "$(col_of 4 CONNS)" 3
sleep 0.5
cap | grep -q 'sort pid ▲' || fail "--no-mouse: a mouse_click changed the sort"
echo "ok   --no-mouse: clicks change nothing"
