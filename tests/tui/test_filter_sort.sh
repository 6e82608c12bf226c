#!/bin/bash
# Filter (keeps ancestors), search, sort, the view switch, hiding and
# pruning inactive entries.
. "$VISNET_TESTS/tui/tuilib.sh"

tui_start
wait_ready

# filter: only curl and its ancestors (and curl's remotes) stay
keys '\'
type_text curl
keys Enter
wait_for 'filter "curl"'
wait_gone 'python3'
screen=$(cap)
for want in 'curl' 'bash' 'sshd' 'systemd' '93\.184\.216\.34:443'; do
   echo "$screen" | grep -Eq -- "$want" || { echo "$screen" >&2; fail "filter lost /$want/"; }
done
for gone in 'python3' 'systemd-resolve' '1\.1\.1\.1' '10\.0\.0\.7'; do
   echo "$screen" | grep -Eq -- "$gone" && { echo "$screen" >&2; fail "filter kept /$gone/"; }
done
# Esc clears the filter
keys Escape
wait_for 'python3'
cap | grep -q 'filter "' && fail "filter still shown after Esc"
# f is the other filter key; a filter that matches nothing says so
keys f
type_text zzznothing
keys Enter
wait_for 'nothing matches the filter'
keys Escape
wait_for 'python3'

# the filter language: fields, NOT, OR, CIDR; the header counts the matches
filter() { keys Escape '\'; type_text "$1"; keys Enter; }
filter 'port:443'
wait_for 'conns 3 active, 0 inactive match'
screen=$(cap)
[ "$(grep -c ':443 ESTABLISHED' <<<"$screen")" = 3 ] || { echo "$screen" >&2; fail "port:443: not 3 connections"; }
grep -q 'python3' <<<"$screen" && { echo "$screen" >&2; fail "port:443 kept python3"; }
filter 'ip:10.0.0.0/8 !port:22'
wait_for 'conns 3 active, 2 inactive match' # with 10.0.0.9:60000, owner unseen
screen=$(cap)
for want in '10\.0\.0\.9:60000' '10\.0\.0\.7:50001' '10\.0\.0\.8:33333' '10\.200\.0\.2:80' '10\.200\.0\.9:25'; do
   grep -Eq -- "$want" <<<"$screen" || { echo "$screen" >&2; fail "ip:10.0.0.0/8 !port:22 lost /$want/"; }
done
grep -q '10\.0\.0\.5:51234' <<<"$screen" && { echo "$screen" >&2; fail "!port:22 kept the ssh connection"; }
filter 'proc:curl,nc state:closed'
wait_for 'conns 0 active, 2 inactive match'
filter 'ip:2606:2800::/32 proto:tcp'
wait_for 'conns 1 active, 0 inactive match'
wait_for '\[2606:2800:220:1:248:1893:25c8:1946\]:443'
# a bad term: one line that names it; the rows are the last filter that
# parsed while it was typed ("state:slee" is a bad state too, "state" a word)
filter 'state:sleepy'
wait_for "filter 'state:sleepy': not a state"
keys Escape
wait_for 'python3'

# search: / moves the selection to the match, n to the next one
keys g / ; type_text python3 ; keys Enter Enter
wait_for 'Process 5000 python3'
keys Escape
keys g / ; type_text sshd ; keys Enter Enter
wait_for 'Process 812 sshd'
keys Escape n Enter
wait_for 'Process 4301 sshd'
keys Escape N Enter
wait_for 'Process 812 sshd'
keys Escape
keys / ; type_text nosuchthing ; keys Enter
wait_for 'not found'

# sort: pid ascending puts python3 (5000) above curl (5100); by name, curl first
wait_gone 'not found' 8
a=$(line_of 'python3'); b=$(line_of ' curl ')
[ "$a" -ge 0 ] && [ "$b" -ge 0 ] && [ "$a" -lt "$b" ] || fail "pid sort: python3 $a, curl $b"
keys s
wait_for 'sort name'
a=$(line_of 'python3'); b=$(line_of ' curl ')
[ "$b" -lt "$a" ] || { cap >&2; fail "name sort: curl $b should come before python3 $a"; }
keys S
wait_for 'sort name (▼|desc)'
a=$(line_of 'python3'); b=$(line_of ' curl ')
[ "$a" -lt "$b" ] || { cap >&2; fail "reversed name sort: python3 $a before curl $b"; }
keys '<'
wait_for 'sort pid (▲|asc)'

# views: flat, then by remote endpoint (IP first, processes beneath)
keys v
wait_for 'view flat'
keys v
wait_for 'view remote'
wait_for 'REMOTE / PROCESS'
wait_for '^ +[0-9]+ +(93\.184\.216\.34|1\.1\.1\.1|10\.0\.0\.7)( |$)'
keys v
wait_for 'view tree'

# t hides inactive entries (closed connections, exited processes); the
# selection stays on the same item while the rows above it go
wait_for 'closed .* ago'
keys g / ; type_text curl ; keys Enter
before=$(line_of ' curl ')
keys t
wait_for 'inactive hidden'
wait_gone 'closed .* ago'
after=$(line_of ' curl ')
[ "$after" -lt "$before" ] || { cap >&2; fail "curl's row did not move up ($before -> $after)"; }
keys Enter
wait_for 'Process 5100 curl'
keys Escape
# and when the sort order moves it
keys s
wait_for 'sort name'
keys Enter
wait_for 'Process 5100 curl'
keys Escape '<'
wait_for 'sort pid'
keys t
wait_for 'inactive shown'
wait_for 'closed .* ago'

# p prunes them for good, and says how many
keys p
wait_for 'pruned [0-9]+ connections?, [0-9]+ process'
cap | grep -Eq 'pruned [1-9]' || { cap >&2; fail "prune removed nothing"; }
wait_gone 'closed .* ago'
cap | grep -Eq '[0-9]+ active( \([^)]*\))?, 0 inactive' || { cap >&2; fail "inactive count not 0 after prune"; }
keys t t
sleep 0.3
cap | grep -Eq 'closed .* ago' && fail "pruned rows came back"

keys q
wait_for 'EXITED:0'
pass
