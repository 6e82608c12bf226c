#!/bin/bash
# Hostile names are drawn harmlessly: the sample has a process named
# "\e[31mevil\e]0;pwn\a"; its escape sequences must show as \e (fmt.h) and must not
# reach the terminal (the pane title must not become "pwn"). And under
# TERM=vt100 LANG=C the screen is plain ASCII.
. "$VISNET_TESTS/tui/tuilib.sh"

tui_start
wait_ready
T select-pane -T before-visnet
sleep 0.5
wait_for '\\e\[31mevil\\e'
title=$(T display -p '#{pane_title}')
[ "$title" != pwn ] || fail "the pane title was changed to pwn by a process name"
case "$title" in *pwn*) fail "pane title contains pwn: $title" ;; esac
# the name is not drawn red: no raw SGR from the name reached the screen
T capture-pane -p -e | grep -q 'evil' || fail "evil row missing from the escaped capture"
keys / ; type_text evil ; keys Enter Enter
wait_for 'Process 6000 \\e\[31mevil'
wait_for 'command +\\e\[31mevil\\e\]0;pwn\\x07'
keys q q
wait_for 'EXITED:0'
T kill-server

# ASCII only under TERM=vt100 and the C locale
tui_start -e TERM=vt100 -e LC_ALL=C -e LANG=C
wait_ready
wait_for '\|-|`-'
screen=$(cap)
if echo "$screen" | LC_ALL=C grep -q '[^ -~]'; then
   echo "$screen" | LC_ALL=C grep -n '[^ -~]' | head -5 >&2
   fail "non-ASCII bytes on the screen under TERM=vt100 LANG=C"
fi
echo "$screen" | grep -q -- '-> 93\.184\.216\.34:443' || fail "ASCII arrow -> missing"
echo "$screen" | grep -q -- '<- 10\.0\.0\.7:50001' || fail "ASCII arrow <- missing"
echo "$screen" | grep -q 'tx [0-9.]*[KMB]' || fail "ASCII byte counts missing"
# no colour escapes under vt100 (no colours there)
T capture-pane -p -e | LC_ALL=C grep -Eq $'\e\\[[0-9;]*3[0-7]m' && fail "colours drawn on a vt100"
keys q
wait_for 'EXITED:0'
T kill-server

# a terminal that cannot address the cursor is refused with one line
tui_start -e TERM=dumb
wait_for 'EXITED:1'
cap | grep -q 'TERM=dumb cannot move the cursor' || { cap >&2; fail "no clear error for TERM=dumb"; }
T kill-server

# colours by default on a colour terminal; none with NO_COLOR or --no-color
tui_start
wait_ready
T capture-pane -p -e | LC_ALL=C grep -Eq $'\e\\[[0-9;]*3[0-7]m' || fail "no colours on TERM=screen"
keys q
wait_for 'EXITED:0'
T kill-server
tui_start -e NO_COLOR=1
wait_ready
T capture-pane -p -e | LC_ALL=C grep -Eq $'\e\\[[0-9;]*3[0-7]m' && fail "colours drawn with NO_COLOR set"
keys q
wait_for 'EXITED:0'
T kill-server
tui_start --replay "$SAMPLE" --speed 0 --no-color
wait_ready
T capture-pane -p -e | LC_ALL=C grep -Eq $'\e\\[[0-9;]*3[0-7]m' && fail "colours drawn with --no-color"
keys q
wait_for 'EXITED:0'
pass
