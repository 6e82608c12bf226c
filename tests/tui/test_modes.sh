#!/bin/bash
# Freeze (z), reverse DNS names (r, on a background thread), the automatic
# pruning switch (a), Ctrl-L, and the --filter / --view / --sort options.
. "$VISNET_TESTS/tui/tuilib.sh"

# reverse DNS must not reach the machine's name servers: run where only
# loopback exists (needs root; without it the r check is left out)
if [ "$(id -u)" = 0 ]; then
   tui_offline_netns
   tui_start -n "$TUI_NETNS"
else
   tui_start
fi
wait_ready

# z freezes: the header says so; moving still works; z again resumes
keys z
wait_for 'FROZEN'
keys j Enter
wait_for 'Details'   # opening details resumes the live display first
keys Escape
wait_gone 'FROZEN'
keys z
wait_for 'FROZEN'
keys j k
keys z
wait_gone 'FROZEN'

# r: 127.0.0.1 gets its name from /etc/hosts, looked up in the background
if [ -n "$TUI_NETNS" ] && getent hosts 127.0.0.1 | grep -qw localhost; then
   keys '\'
   type_text 127.0.0.1
   keys Enter
   wait_for '127\.0\.0\.1'
   keys r
   wait_for 'reverse DNS on'
   wait_for 'localhost +127\.0\.0\.1' 15
   keys r
   wait_for 'reverse DNS off'
   wait_gone 'localhost' 5
   keys Escape
else
   echo "note: not root or 127.0.0.1 has no name here, reverse DNS not checked"
fi

# A toggles automatic pruning, shown in the header
keys A
wait_for 'automatic pruning on'
wait_for 'auto-prune [0-9]+s'
keys A
wait_for 'automatic pruning off'

# Ctrl-L redraws, the screen stays the same
keys C-l
wait_for 'PID +USER +CONNS'
keys q
wait_for 'EXITED:0'
T kill-server

# automatic pruning removes what has been inactive longer than --prune-after
tui_start --replay "$SAMPLE" --speed 0 --prune-after 2
wait_ready
wait_for 'closed .* ago'
keys A
wait_for 'auto-prune 2s'
wait_gone 'closed .* ago' 10
wait_for ' 0 inactive'
keys A
wait_for 'automatic pruning off'
keys q
wait_for 'EXITED:0'
T kill-server

# --auto-prune starts with it on
tui_start --replay "$SAMPLE" --speed 0 --prune-after 2 --auto-prune
wait_for 'auto-prune 2s'
wait_gone 'closed .* ago' 10
keys q
wait_for 'EXITED:0'
T kill-server

# options: --filter, --view remote, --sort name
tui_start --replay "$SAMPLE" --speed 0 --filter python3 --view remote --sort name
wait_for 'REMOTE / PROCESS'
wait_for 'filter "python3"'
wait_for 'view remote +sort name'
wait_for '10\.0\.0\.7'
cap | grep -q 'curl' && fail "--filter python3 still shows curl"
keys q
wait_for 'EXITED:0'
pass
