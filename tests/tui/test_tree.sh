#!/bin/bash
# The tree of the sample replay: rows, navigation, collapse and expand, the
# details pane, help, and q quitting with status 0.
. "$VISNET_TESTS/tui/tuilib.sh"

# SSH_CONNECTION as sshd sets it for the session in the sample
tui_start -e "SSH_CONNECTION=10.0.0.5 51234 10.0.0.2 22"
wait_ready

# rows: processes and remote IP:port, direction arrows
screen=$(cap)
for want in 'systemd' 'sshd' 'python3' 'curl' '93\.184\.216\.34:443' '10\.0\.0\.7:50001' \
   'LISTEN 0\.0\.0\.0:8000' '1\.1\.1\.1:53 udp' '10\.0\.0\.5:51234.*you are here'; do
   echo "$screen" | grep -Eq -- "$want" || { echo "$screen" >&2; fail "row /$want/ missing"; }
done
echo "$screen" | grep -Eq '→ 93\.184\.216\.34:443' || fail "outbound arrow missing"
echo "$screen" | grep -Eq '← 10\.0\.0\.7:50001' || fail "inbound arrow missing"
echo "$screen" | grep -Eq 'conns [0-9]+ active.*, [0-9]+ inactive .*procs [0-9]+ ' || fail "header counts"
echo "$screen" | grep -Eq 'replay' || fail "mode missing from the header"
[ "$(echo "$screen" | grep -c 'you are here')" = 1 ] || fail "'you are here' should mark exactly one row"

# navigation: Home selects the first row; its details name pid 1
keys Home Enter
wait_for 'Process 1 systemd'
keys Escape
wait_gone 'Process 1 systemd'
# j moves the selection down one row: a different item
keys j Enter
wait_for 'Details'
cap | grep -q 'Process 1 systemd  ' && fail "selection did not move with j"
keys Escape
keys k Enter
wait_for 'Process 1 systemd'
keys Escape
# End / G go to the last row, g back to the first
keys G Enter
wait_for 'Details'
cap | grep -q 'Process 1 systemd  ' && fail "G did not move the selection"
keys Escape g Enter
wait_for 'Process 1 systemd'
keys Escape

# details of curl: command line, exe, sockets with states and bytes
keys / ; type_text curl ; keys Enter
keys Enter
wait_for 'Process 5100 curl'
wait_for 'command +curl -s http://10\.200\.0\.2/'
wait_for 'exe +/usr/bin/curl'
wait_for 'Sockets:'
wait_for '93\.184\.216\.34:443 +ESTABLISHED +out +tx'
wait_for 'closed .* ago'
keys Escape
wait_gone 'Sockets:'

# collapse and expand: curl's remotes disappear under h / Left, come back
cap | grep -q '93\.184\.216\.34:443' || fail "curl's connection not shown"
keys Left
wait_gone '93\.184\.216\.34:443'
cap | grep -q 'curl' || fail "collapsed row itself vanished"
keys Right
wait_for '93\.184\.216\.34:443'
keys Space
wait_gone '93\.184\.216\.34:443'
keys Space
wait_for '93\.184\.216\.34:443'

# help
keys '?'
wait_for 'Keys +\(any key closes'
keys x
wait_gone 'any key closes'

# q quits cleanly, terminal handed back
keys q
wait_for 'EXITED:0'
[ "$(T display -p '#{alternate_on}')" = 0 ] || fail "alternate screen still on after q"
T kill-server

# under sudo SSH_CONNECTION is gone from visnet's own environment: the
# marker comes from the shell that started it
real=$VISNET
VISNET=env
# (and ports by their service names, as without -n)
TUI_PORT_NAMES=1 tui_start -E "SSH_CONNECTION=10.0.0.5 51234 10.0.0.2 22" -u SSH_CONNECTION "$real" \
   --replay "$SAMPLE" --speed 0
VISNET=$real
wait_ready
wait_for '10\.0\.0\.5:51234.*you are here'
wait_for '→ 93\.184\.216\.34:https ESTABLISHED'
wait_for 'LISTEN 0\.0\.0\.0:ssh'
wait_for '1\.1\.1\.1:domain udp'
keys q
wait_for 'EXITED:0'
pass
