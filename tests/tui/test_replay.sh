#!/bin/bash
# Header and screens of a replay and a recording: the clock is the log's
# (its last event's wall time at the end), the position in the log shows
# (+5.0s 100%); P pauses the log's clock, . moves it one second, P resumes;
# a recording shows its file and size; the help shows the source's note in
# full.
. "$VISNET_TESTS/tui/tuilib.sh"

# the wall time of the sample's last event, as the header shows it (UTC)
last=$("$VISNET" --replay "$SAMPLE" --json 2>/dev/null | jq -r 'select(.type != "bye") | .time' | tail -1)
clock=${last:11:8}
[ -n "$clock" ] || fail "no time in the sample's JSON"
tui_start -e TZ=UTC --replay "$SAMPLE" --speed 0
wait_ready
wait_for 'at \+5\.0s 100%'
cap | head -1 | grep -q " $clock\$" || { cap >&2; fail "the clock is not the log's last event ($clock)"; }
echo "ok   the header's clock is the log's: $clock; at +5.0s 100%"
keys q
wait_for 'EXITED:0'
T kill-server

# pause and step: the sample's 5 s take 50 s at speed 0.1
tui_start -e TZ=UTC --replay "$SAMPLE" --speed 0.1 -d 2
wait_ready
wait_for 'at \+0\.[1-9]s' 10
keys P
wait_for 'PAUSED' 5
at1=$(cap | grep -o 'at +[0-9.]*s' | head -1)
sleep 1.5
at2=$(cap | grep -o 'at +[0-9.]*s' | head -1)
[ "$at1" = "$at2" ] || fail "the log's clock moved while paused: $at1 -> $at2"
keys .
want=$(python3 -c "import sys; print('at +%.1fs' % (float(sys.argv[1][4:-1]) + 1))" "$at1")
wait_for "$(sed 's/[.+]/\\&/g' <<<"$want")" 5
keys P
wait_gone 'PAUSED' 5
wait_for 'at \+[2-9]\.[0-9]s' 15
echo "ok   P stopped the log's clock at ${at1#at }, . moved it to ${want#at }, P resumed it"
keys q
wait_for 'EXITED:0'
T kill-server

# a recording: its file and size in the header; the source's note in help
rec=$TUI_TMP/rec.vnl
tui_start --no-bpf --record "$rec" -d 2
wait_for 'PID .*DOWN/s' 20
wait_for "(●|\\*) rec $rec [0-9.]+[BKM]" 10
keys '?'
wait_for 'Note: polling: short-lived connections may be missed' 5
keys q
keys q
wait_for 'EXITED:0'
[ -s "$rec" ] || fail "no recording"
echo "ok   the recording shows in the header; the help shows the note"
pass
