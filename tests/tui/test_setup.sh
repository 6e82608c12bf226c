#!/bin/bash
# The settings file and the setup screen (F2): a change made there is in
# effect at once and, on leaving, saved (only what changed: the file holds
# two lines after changing two values); a restart keeps it; a flag
# overrides it for the run without being saved; a hand-corrupted file
# gives a one-line warning naming the line, and its good lines still
# count; --no-config neither reads nor writes it.
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
