#!/bin/bash
# The fleet on screen (root, real OpenSSH in network namespaces, as
# tests/probe/test_fleet.sh sets up): visnet --remote a,b shows a row per
# host and, under a's client, its other end on b by process and pid
# (⇒ python3[PID] on b), and under b's server the client on a; Enter on
# the connection shows the other end's details; a's sshd killed: its row
# says down, then ssh's reason (connection refused) and when it tries
# again, then up again once sshd is back; q ends
# every ssh child and the far visnets.
. "$VISNET_TESTS/tui/tuilib.sh"
. "$VISNET_TESTS/probe/lib.sh"
. "$VISNET_TESTS/probe/fleet_env.sh"
trap 'fleet_cleanup; tui_cleanup' EXIT INT TERM

require_root_bpf
fleet_setup a b
port=$((20000 + ($$ + 23) % 20000))
ip netns exec "$(fleet_ns b)" python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.214.0.2", int(sys.argv[1]))); s.listen(4); s.settimeout(60)
c = s.accept()[0]; time.sleep(60)' "$port" &
SERVER=$!
VN_PIDS+=("$SERVER")
for _ in $(seq 50); do
   [ "$(ip netns exec "$(fleet_ns b)" ss -Hltn "sport = :$port" | wc -l)" = 1 ] && break
   sleep 0.1
done
ip netns exec "$(fleet_ns a)" python3 -c 'import socket, sys, time
c = socket.create_connection(("10.214.0.2", int(sys.argv[1]))); time.sleep(60)' "$port" &
CLIENT=$!
VN_PIDS+=("$CLIENT")

tui_start -x 150 -y 30 --remote a,b --ssh-command "$FLEET_SSH" --netns self --filter "port:$port" -d 5
wait_for " a  up [0-9]" 20
wait_for " b  up [0-9]" 20
wait_for "10.214.0.2:$port ESTABLISHED ⇒ python3\[$SERVER\] on b" 15
wait_for "10.214.0.1:[0-9]* on :$port ESTABLISHED ⇒ python3\[$CLIENT\] on a" 15
wait_for "hosts 2/2 up" 5
echo "ok   a row per host; a's python3[$CLIENT] ⇒ b's python3[$SERVER], and back"

# Enter on a's connection: the details name the other end
y=$(line_of "ESTABLISHED ⇒ python3\[$SERVER\] on b")
mouse_click 60 "$y"
keys Enter
wait_for "The other end, on b: python3\[$SERVER\]" 5
keys Escape
keys r # names are each host's own: said so, not pretended
wait_for "reverse DNS unavailable: not in a fleet view" 5
echo "ok   details: the other end; r says why there are no names"

fleet_kill_sshd a
wait_for " a  down: " 15
cap | grep -q " b  up [0-9]" || fail "b went down with a: $(cap)"
wait_for "hosts 1/2 up" 5
# tried again after a second: ssh's own words, and when the next try is
wait_for " a  down: ssh: connect to host 10.213.1.2 port 22: Connection refused [0-9]+s \(retry in [0-9]+s\)" 15
fleet_sshd a
wait_for " a  up [0-9]" 20
wait_for "hosts 2/2 up" 5
echo "ok   a down (sshd killed), then up again"

keys q
wait_for "EXITED:0" 10
for i in $(seq 100); do
   [ "$(pgrep -f "ssh -F $FLEET_DIR|--while-stdin" | wc -l)" = 0 ] && break
   sleep 0.1
done
left=$(pgrep -af "ssh -F $FLEET_DIR|--while-stdin")
[ -z "$left" ] || fail "left behind after q: $left"
echo "ok   q: no ssh, no far visnet left"
pass
