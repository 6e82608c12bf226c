#!/bin/bash
# The settings file and the setup screen (F2): a change made there is in
# effect at once and, on leaving, saved (only what changed: the file holds
# two lines after changing two values); a restart keeps it; a flag
# overrides it for the run without being saved; a hand-corrupted file
# gives a one-line warning naming the line, and its good lines still
# count; --no-config neither reads nor writes it; the columns come in the
# order the file or the setup screen gives, and units show after names.
. "$VISNET_TESTS/tui/tuilib.sh"

cfg="$TUI_TMP/config/visnet/visnetrc"
header_sort() { cap | sed -n 3p; }

# 1. change the sort and the colours, leave: saved, exactly that
tui_start
wait_ready
keys F2
wait_for 'Setup  \(Up/Down choose'
wait_for "Leaving saves what you changed to $cfg"
keys Down Right Right # Sort by: pid -> name -> conns
wait_for 'Sort by +conns'
keys Down Down Down Down Right # Colours: default -> monochrome
wait_for 'Colours +monochrome'
keys Escape
wait_for "settings saved to $cfg"
want=$'# visnet settings (visnet(1), SETTINGS)\nsort=conns\ncolors=monochrome'
[ "$(cat "$cfg")" = "$want" ] || fail "the file after saving: $(cat -A "$cfg")"
header_sort | grep -q 'sort conns' || fail "the sort is not in effect: $(header_sort)"
[ "$(stat -c %a "$(dirname "$cfg")")" = 700 ] || fail "the settings directory is not 0700"
ls "$(dirname "$cfg")" | grep -q tmp && fail "a temporary file was left: $(ls "$(dirname "$cfg")")"
keys q
wait_for 'EXITED:0'
echo "ok   F2: sort and colours changed, saved as two lines, in effect at once"

# 2. a restart keeps them; a flag wins for its run and is not saved
tui_start
wait_ready
header_sort | grep -q 'sort conns' || fail "restart: the sort was not kept: $(header_sort)"
keys q
tui_start --replay "$SAMPLE" --speed 0 --sort name
wait_ready
header_sort | grep -q 'sort name' || fail "--sort name did not win over the file: $(header_sort)"
keys F2
wait_for 'Sort by +name'
keys Escape
sleep 0.5
cap | grep -q 'settings saved' && fail "leaving without a change saved the file"
[ "$(cat "$cfg")" = "$want" ] || fail "the flag's value reached the file: $(cat -A "$cfg")"
keys q
echo "ok   restart keeps the sort; --sort name wins for its run, the file unchanged"

# 3. a hand-corrupted file: one line naming the first bad line; the good ones count
printf 'view=flat\nsort=bogus\n\001junk\ncolors=purple\n' >"$cfg"
tui_start
wait_for "visnetrc:2: 'sort=bogus': not a sort key .*; ignored \(and more"
wait_for 'view flat'
header_sort | grep -q 'sort pid' || fail "a bad sort line was not ignored: $(header_sort)"
keys q
echo "ok   a corrupted file: a one-line warning with its line number, defaults for the bad lines"

# 4. --no-config: neither read nor written
before=$(cat "$cfg")
tui_start --replay "$SAMPLE" --speed 0 --no-config
wait_ready
header_sort | grep -q 'view tree' || fail "--no-config read the file: $(header_sort)"
keys F2
wait_for 'no-config: changes last this run'
keys Down Right
keys Escape
wait_for 'settings changed for this run only \(--no-config\)'
[ "$(cat "$cfg")" = "$before" ] || fail "--no-config wrote the file"
keys q
echo "ok   --no-config: the file neither read nor written"

# 5. columns in the file's order; then typed in the setup screen, saved
printf 'columns=up,down,pid\nunits=yes\n' >"$cfg"
tui_start
wait_for '^ +UP/s +DOWN/s +PID  PROCESS / REMOTE'
keys F2
wait_for 'Columns, in order \(Enter to type them\) +up,down,pid'
for _ in $(seq 11); do keys Down; done # View ... Mouse, then Columns
keys Enter
wait_for 'Columns \(pid,user,conns,up,down,rtt,retr\): up,down,pid_'
for _ in $(seq 11); do keys BSpace; done
type_text 'pid,conns'
keys Enter
wait_for 'Columns, in order \(Enter to type them\) +pid,conns'
keys Escape
wait_for "settings saved to $cfg"
wait_for '^ +PID +CONNS  PROCESS / REMOTE'
[ "$(cat "$cfg")" = $'columns=pid,conns\nunits=yes' ] || fail "the file after the columns: $(cat -A "$cfg")"
keys q
echo "ok   columns in the file's order (up,down,pid); typed in the setup screen, saved"

# 6. units=yes, live: a listener in a cgroup named like a systemd unit
# shows it after its name (root: the probe, a cgroup of our own)
require_root_bpf
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CG" ] && [ -e "$CG/cgroup.procs" ] || skip "no cgroup v2 mounted"
UNIT=vnset-$$.service
mkdir "$CG/$UNIT" || fail "mkdir $CG/$UNIT"
python3 - "$CG/$UNIT/cgroup.procs" <<'PY' &
import os, socket, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
time.sleep(30)
PY
lpid=$!
units_done() { kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; rmdir "$CG/$UNIT" 2>/dev/null; tui_cleanup; }
trap units_done EXIT
for _ in $(seq 50); do grep -q "$lpid" "$CG/$UNIT/cgroup.procs" && ss -ltnpH | grep -q "pid=$lpid," && break; sleep 0.1; done
tui_start -d 2 --filter "pid:$lpid"
wait_for "python3 \\[$UNIT\\]" 15
keys q
echo "ok   units=yes: python3 [$UNIT] in its row"
