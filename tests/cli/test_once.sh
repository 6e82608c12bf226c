#!/usr/bin/env bash
# --once as a pipe reads it: whole lines unless --width cuts them; TIME_WAIT
# sockets one line per remote with their count (unless a state: filter asks for
# them); --replay FILE --once [--at T] prints the picture at a point of a
# log; flags that do not go together are refused in one line.
set -u
. "$VISNET_TESTS/lib.sh"

tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
sample=$VISNET_TESTS/data/sample.evlog

# 1. whole lines into a pipe; --width 80 cuts them, marked
"$VISNET" --replay "$sample" --once >"$tmp/whole.txt" || fail "--replay --once: exit $?"
curl='      |-curl(5100)  curl -s http://10.200.0.2/ https://example.com/ https://[2606:2800:220:1:248:1893:25c8:1946]/'
grep -qxF -- "$curl" "$tmp/whole.txt" || fail "the curl line is not whole: $(grep curl "$tmp/whole.txt")"
"$VISNET" --replay "$sample" --once --width 80 >"$tmp/cut.txt" || fail "--width 80: exit $?"
long=$(head -n -1 "$tmp/cut.txt" | awk 'length > 80' | wc -l)
[ "$long" = 0 ] || fail "--width 80: $long lines of the tree longer than 80"
grep -qxF -- "${curl:0:79}+" "$tmp/cut.txt" || fail "--width 80: the curl line is not cut at 79 + '+': $(grep curl "$tmp/cut.txt")"
[ "$(wc -l <"$tmp/whole.txt")" = "$(wc -l <"$tmp/cut.txt")" ] || fail "--width changed the number of lines"
echo "ok   whole lines in a pipe; --width 80 cuts at 80"

# 2. the picture at a point of the log, and at its end
"$VISNET" --replay "$sample" --once --at 1s >"$tmp/at1.txt" 2>"$tmp/at1.err" || fail "--at 1s: exit $?"
[ "$(tail -n 1 "$tmp/at1.txt")" = "4 processes shown with 2 ancestors (0 without sockets left out, 6 running), 7 sockets (2 without owner)" ] ||
   fail "--at 1s: $(tail -n 1 "$tmp/at1.txt")"
[ -s "$tmp/at1.err" ] && fail "--at 1s said: $(cat "$tmp/at1.err")"
[ "$(tail -n 1 "$tmp/whole.txt")" = "7 processes shown with 2 ancestors (0 without sockets left out, 8 running), 13 sockets (2 without owner)" ] ||
   fail "at the end: $(tail -n 1 "$tmp/whole.txt")"
grep -q 'curl(5100)' "$tmp/at1.txt" && fail "--at 1s shows curl, which starts later"
"$VISNET" --replay "$sample" --once --at 1h >"$tmp/at1h.txt" 2>"$tmp/at1h.err" || fail "--at 1h: exit $?"
[ "$(cat "$tmp/at1h.err")" = "visnet: --at 3600.0s: the log ends 5.0s after its first event; shown at its end" ] ||
   fail "--at 1h said: $(cat "$tmp/at1h.err")"
cmp -s "$tmp/at1h.txt" "$tmp/whole.txt" || fail "--at past the end is not the end"
"$VISNET" --replay "$sample" --once --json --at 1s >"$tmp/at1.json" || fail "--json --at 1s: exit $?"
n=$(jq '.connections | length' "$tmp/at1.json")
[ "$n" = 5 ] || fail "--json --at 1s: $n connections, want 5"
echo "ok   --at 1s: 4 processes with 2 ancestors, 7 sockets; at the end 7 with 2 and 13; past the end said in one line"

# 3. TIME_WAIT: 30 of them to an address of our own, one line
addr=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
python3 - "$addr" <<'PY' || fail "making 30 TIME_WAIT sockets failed"
import socket, sys
l = socket.socket(); l.bind((sys.argv[1], 0)); l.listen(64)
for _ in range(30):
    c = socket.create_connection(l.getsockname()); s = l.accept()[0]
    c.close(); s.recv(1); s.close()  # the client closes first: its side waits
PY
"$VISNET" --once >"$tmp/tw.txt" || fail "--once: exit $?"
grep -qE -- "-tcp 30 TIME_WAIT -> $addr\$" "$tmp/tw.txt" || fail "no grouped TIME_WAIT line: $(grep -F "$addr" "$tmp/tw.txt" | head -3)"
[ "$(grep -cF "$addr" "$tmp/tw.txt")" = 1 ] || fail "$addr on more than one line"
"$VISNET" --once --filter "$addr" >"$tmp/twf.txt" || fail "--once --filter: exit $?"
grep -qE -- "-tcp 30 TIME_WAIT -> $addr\$" "$tmp/twf.txt" || fail "--filter $addr: no grouped line: $(grep -F "$addr" "$tmp/twf.txt" | head -3)"
[ "$(grep -c "TIME_WAIT" "$tmp/twf.txt")" = 1 ] || fail "--filter $addr: not one TIME_WAIT line"
"$VISNET" --once --filter "$addr state:time-wait" >"$tmp/twf.txt" || fail "--once --filter state: exit $?"
n=$(grep -c "TIME_WAIT" "$tmp/twf.txt")
[ "$n" = 30 ] || fail "--filter '$addr state:time-wait': $n TIME_WAIT lines, want 30"
echo "ok   30 TIME_WAIT sockets: one line with their count, filtered too; state:time-wait lists them"

# 4. what does not go together
for args in "--width 80|--width goes with --once" "--once --json --width 80|--width goes with --once" \
   "--at 5s|--at goes with --once and --replay" "--once --at 5s|--at goes with --once and --replay" \
   "--once --width 5|--width: '5' is not a number of columns" "--once --record x|--once prints one picture"; do
   a=${args%%|*} want=${args#*|}
   rc=0
   # shellcheck disable=SC2086
   "$VISNET" $a >"$tmp/o" 2>"$tmp/e" </dev/null || rc=$?
   [ "$rc" = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -qF -- "visnet: $want" "$tmp/e" ||
      fail "visnet $a: exit $rc, $(cat "$tmp/e")"
done
echo "ok   --width and --at outside --once, a bad width: one line, exit 2"
pass
