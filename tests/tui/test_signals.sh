#!/bin/bash
# The terminal is restored on every way out: Ctrl-C (SIGINT), SIGTERM and
# SIGHUP. After visnet exits the pane is back on the normal screen, and the
# shell that follows echoes what is typed, with the tty in canonical mode.
. "$VISNET_TESTS/tui/tuilib.sh"

check_restored() { # how
   wait_for 'EXITED:[0-9]+' 10
   [ "$(T display -p '#{alternate_on}')" = 0 ] || fail "$1: alternate screen still on"
   cap | grep -q 'PID +USER +CONNS' && fail "$1: the UI is still on the screen"
   local tag="typed-$RANDOM"
   type_text "echo $tag-out"
   keys Enter
   wait_for "^\\\$ echo $tag-out" 5
   wait_for "^$tag-out\$" 5
   type_text "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo|isig|icrnl)\$' | tr '\\n' ' '; echo END"
   keys Enter
   wait_for '^(-?[a-z]+ )+END$' 5
   local modes
   modes=$(cap | grep -E '^(-?[a-z]+ )+END$' | tail -1)
   for m in icanon echo isig icrnl; do
      echo "$modes" | grep -Eq "(^| )$m " || fail "$1: tty mode $m not restored: $modes"
   done
   T kill-server
}

for how in INT TERM HUP; do
   tui_start
   wait_ready
   if [ "$how" = INT ]; then
      keys C-c
   else
      pid=$(visnet_pid)
      [ -n "$pid" ] || fail "cannot find visnet's pid"
      kill -"$how" "$pid"
   fi
   check_restored "SIG$how"
done
pass
