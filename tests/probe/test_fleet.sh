#!/bin/bash
# test_fleet.sh: visnet --remote over real OpenSSH. Three "hosts", each a
# network namespace with its own sshd (fleet_env.sh); a and b are joined
# by a veth, c has no visnet on its PATH; two fake hosts speak garbage and
# another schema version. A client on a talks to a server on b:
#  - --once (text, --json, --dot) joins the two ends: process on a ->
#    process on b, with exact pids, both ways; local (this machine, no
#    ssh) joins its own ssh children to the sshd of a and b;
#  - --json merges the streams, each line with its host; a connection made
#    while it runs has its other end on its close lines; the hosts that
#    fail are said with their reason (c: not found, junk: garbage, cut off,
#    its later lines never read; v2: the schema); a's sshd killed mid-run:
#    a is down, then up again once sshd is back;
#  - quitting leaves no ssh and no visnet behind.
. "$VISNET_TESTS/lib.sh" # check_stream, check_fleet_document
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fleet_env.sh"
vn_require jq
FLEET_NO_VISNET=c
fleet_setup a b c
fleet_wrap
NSA=$(fleet_ns a) NSB=$(fleet_ns b)
port=$((20000 + $$ % 20000))
OPTS=(--ssh-command "$FLEET_SSH" --netns self)

# a server on b (holds its first connection, reads its second to the end), a client on a
ip netns exec "$NSB" python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.214.0.2", int(sys.argv[1]))); s.listen(4); s.settimeout(40)
held = s.accept()[0]; c = s.accept()[0]
while c.recv(4096): pass
c.close(); time.sleep(40)' "$port" &
SERVER=$!
VN_PIDS+=("$SERVER")
for _ in $(seq 50); do
   [ "$(ip netns exec "$NSB" ss -Hltn "sport = :$port" | wc -l)" = 1 ] && break
   sleep 0.1
done
ip netns exec "$NSA" python3 -c 'import socket, sys, time
c = socket.create_connection(("10.214.0.2", int(sys.argv[1]))); c.send(b"x" * 300); time.sleep(40)' "$port" &
CLIENT=$!
VN_PIDS+=("$CLIENT")
for _ in $(seq 50); do
   [ "$(ip netns exec "$NSA" ss -Htn state established "dport = :$port" | wc -l)" = 1 ] && break
   sleep 0.1
done
CPORT=$(ip netns exec "$NSA" ss -Htn "dport = :$port" | awk '{split($4, a, ":"); print a[2]}')
[ -n "$CPORT" ] || vn_fail "the client on a did not connect"

# --- --once --json: both ends joined, exact pids both ways
"$VISNET" --remote local,a,b "${OPTS[@]}" --once --json >"$VN_TMP/once.json" 2>"$VN_ERR" ||
   vn_fail "--once --json: exit $?"
got=$(jq -c --argjson p "$port" '[.hosts[] | .host as $h | .connections[] |
   select(.rport == $p or .lport == $p) | [$h, .pid, .dir, .peer.host, .peer.pid, .peer.comm]]' "$VN_TMP/once.json")
want="[[\"a\",$CLIENT,\"out\",\"b\",$SERVER,\"python3\"],[\"b\",$SERVER,\"in\",\"a\",$CLIENT,\"python3\"]]"
[ "$got" = "$want" ] || vn_fail "--once --json joined ends: $got, want $want"
[ "$(jq -c '[.fleet, [.hosts[] | [.host, .status, .ready]]]' "$VN_TMP/once.json")" = \
   '[true,[["local","up",true],["a","up",true],["b","up",true]]]' ] ||
   vn_fail "hosts: $(jq -c '[.hosts[] | [.host, .status, .reason]]' "$VN_TMP/once.json")"
# this machine's own ssh children are joined to the sshd of a and of b
got=$(jq -c '[.hosts[] | select(.host == "local") | .connections[] | select(.peer.comm == "sshd") |
   [.comm, .rport, .peer.host]] | sort' "$VN_TMP/once.json")
[ "$got" = '[["ssh",22,"a"],["ssh",22,"b"]]' ] || vn_fail "local's ssh to the hosts' sshd: $got"
check_fleet_document "$VN_TMP/once.json"
echo "ok   --once --json: a's python3[$CLIENT] -> b's python3[$SERVER] on :$port, both ways; local's ssh -> a's and b's sshd"

# --- --once text and --dot, filtered to the port
"$VISNET" --remote a,b "${OPTS[@]}" --once --filter "port:$port" -n >"$VN_TMP/once.txt" 2>"$VN_ERR" ||
   vn_fail "--once: exit $?"
grep -q -- "-> 10.214.0.2:$port ESTABLISHED out .* => python3\[$SERVER\] on b" "$VN_TMP/once.txt" ||
   vn_fail "--once text: no joined line on a: $(cat "$VN_TMP/once.txt")"
grep -q -- "-> 10.214.0.1:$CPORT ESTABLISHED in .* => python3\[$CLIENT\] on a" "$VN_TMP/once.txt" ||
   vn_fail "--once text: no joined line on b: $(cat "$VN_TMP/once.txt")"
[ "$(grep -c '^[ab] \[up\]' "$VN_TMP/once.txt")" = 2 ] || vn_fail "--once text hosts: $(cat "$VN_TMP/once.txt")"
"$VISNET" --remote a,b "${OPTS[@]}" --once --dot --filter "port:$port" >"$VN_TMP/once.dot" 2>"$VN_ERR" ||
   vn_fail "--once --dot: exit $?"
edge=$(grep -c "^  \"h0_p${CLIENT}_[0-9]*\" -> \"h1_p${SERVER}_[0-9]*\" \[label=\"tcp/$port x1\", color=blue" "$VN_TMP/once.dot")
[ "$edge" = 1 ] || vn_fail "--dot: the edge a -> b: $(cat "$VN_TMP/once.dot")"
[ "$(grep -c 'subgraph "cluster_h' "$VN_TMP/once.dot")" = 2 ] || vn_fail "--dot: two clusters"
[ "$(grep -c -- '->' "$VN_TMP/once.dot")" = 1 ] || vn_fail "--dot: one edge only: $(cat "$VN_TMP/once.dot")"
if command -v dot >/dev/null; then
   dot -Tsvg "$VN_TMP/once.dot" >/dev/null || vn_fail "graphviz refuses the fleet's DOT"
fi
echo "ok   --once text and --dot: the joined edge, a cluster per host"

# --- --json, live: faults, a new connection, a drop and a return
"$VISNET" --remote a,b,c,junk,v2 "${OPTS[@]}" --json -d 2 --duration 50 >"$VN_OUT" 2>"$VN_ERR" &
VN_SRC_PID=$!
VN_PIDS+=("$VN_SRC_PID")
wait_line() { # jq condition, what
   for _ in $(seq 150); do
      [ "$(jq -s "[.[] | select($1)] | length" "$VN_OUT" 2>/dev/null)" -ge 1 ] 2>/dev/null && return 0
      kill -0 "$VN_SRC_PID" 2>/dev/null || vn_fail "visnet --remote ended early"
      sleep 0.1
   done
   vn_fail "no line for $2 within 15 s"
}
wait_line '.type == "host" and .host == "a" and .status == "up"' "a up"
wait_line '.type == "host" and .host == "b" and .status == "up"' "b up"
wait_line '.type == "ready" and .host == "b"' "b's picture"
ip netns exec "$NSA" python3 -c 'import socket, sys, time
c = socket.create_connection(("10.214.0.2", int(sys.argv[1]))); c.send(b"y" * 77); time.sleep(2); c.close()' "$port" &
C2=$!
wait "$C2" || vn_fail "the second client failed"
wait_line ".type == \"close\" and .host == \"a\" and .pid == $C2" "the second client's close"
# a drops: every sshd of a killed; then it comes back
fleet_kill_sshd a
wait_line '.type == "host" and .host == "a" and .status == "down"' "a down"
fleet_sshd a
for _ in $(seq 150); do # back within the back-off (1, 2, 4 s)
   [ "$(jq -s '[.[] | select(.type == "host" and .host == "a" and .status == "up")] | length' "$VN_OUT")" = 2 ] && break
   sleep 0.1
done
kill -INT "$VN_SRC_PID"
for _ in $(seq 100); do kill -0 "$VN_SRC_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$VN_SRC_PID" 2>/dev/null && vn_fail "visnet --remote did not end on SIGINT"
wait "$VN_SRC_PID" || vn_fail "visnet --remote --json: exit $?"

check_stream "$VN_OUT"
head -1 "$VN_OUT" | jq -e '.mode == "fleet" and .hosts == ["a","b","c","junk","v2"]' >/dev/null ||
   vn_fail "hello: $(head -1 "$VN_OUT")"
tail -1 "$VN_OUT" | jq -e '.type == "bye" and .reason == "signal"' >/dev/null || vn_fail "bye: $(tail -1 "$VN_OUT")"
reason() { jq -rs --arg h "$1" '[.[] | select(.type == "host" and .host == $h and .status == "down")][0].reason' "$VN_OUT"; }
case $(reason c) in *"visnet: command not found"*) ;; *) vn_fail "c's reason: $(reason c)" ;; esac
[ "$(reason junk)" = "line 3: expected '{' at byte 0: not visnet's stream" ] || vn_fail "junk's reason: $(reason junk)"
case $(reason v2) in "line 1: schema version 2, this visnet reads 1"*) ;; *) vn_fail "v2's reason: $(reason v2)" ;; esac
[ "$(jq -s '[.[] | select(.host == "junk" and .type != "host" and .type != "ready")] | length' "$VN_OUT")" = 0 ] ||
   vn_fail "lines of junk reached the output"
# every event line names its host; the second connection's ends are joined
[ "$(jq -s '[.[] | select(.type != "hello" and .type != "bye" and .host == null)] | length' "$VN_OUT")" = 0 ] ||
   vn_fail "lines without a host"
got=$(jq -sc --argjson c "$C2" --argjson s "$SERVER" '[.[] | select(.type == "close" and
   ((.host == "a" and .pid == $c) or (.host == "b" and .pid == $s and .peer.pid == $c))) |
   [.host, .tx, .rx, .peer.host, .peer.pid, .peer.comm]] | sort' "$VN_OUT")
want="[[\"a\",77,0,\"b\",$SERVER,\"python3\"],[\"b\",0,77,\"a\",$C2,\"python3\"]]"
[ "$got" = "$want" ] || vn_fail "the second connection's closes: $got, want $want"
ups=$(jq -sc '[.[] | select(.type == "host" and .host == "a") | .status]' "$VN_OUT")
case $ups in '["up","down"'*'"up"]') ;; *) vn_fail "a's states: $ups" ;; esac
echo "ok   --json: c not found, junk cut at line 3, v2's schema; a down and up again ($ups); closes joined"

# nothing left behind: no ssh of ours, no far visnet
for i in $(seq 100); do # the far side sees its channel close, then ends
   [ "$(pgrep -f "ssh -F $FLEET_DIR|--while-stdin" | wc -l)" = 0 ] && break
   sleep 0.1
done
echo "     (gone after $((i / 10)).$((i % 10)) s)"
left=$(pgrep -f "ssh -F $FLEET_DIR|--while-stdin" | wc -l)
[ "$left" = 0 ] || vn_fail "left behind: $(pgrep -af "ssh -F $FLEET_DIR|--while-stdin")"
echo "ok   after the end: no ssh, no visnet --while-stdin"
echo PASS
