#!/bin/bash
# test_netns_scope.sh: --netns limits visnet to the sockets of one network
# namespace, named by path, inode number or self: --once shows only its
# listener, --json only its connections (and says the namespace in hello);
# a name that is no namespace is refused in one line, exit 2.
. "$(dirname "$0")/lib.sh"
vn_require jq
vn_netns_pair vnp-scope 31
A=vnp-scope-a B=vnp-scope-b
NSA=$(vn_netns_ino $A)
SELF=$(stat -L -c %i /proc/self/ns/net)

# a listener in A, one in B, one here
port=$((30000 + $$ % 20000))
for ns in $A $B; do # each accepts and closes what comes
   ip netns exec "$ns" python3 -c 'import socket, sys
s = socket.socket(); s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(4); s.settimeout(30)
while True: s.accept()[0].close()' "$port" &
   VN_PIDS+=($!)
done
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4); time.sleep(30)' "$port" &
VN_PIDS+=($!)
for _ in $(seq 50); do
   [ "$(ip netns exec $A ss -Hltn "sport = :$port" | wc -l)" = 1 ] &&
      [ "$(ip netns exec $B ss -Hltn "sport = :$port" | wc -l)" = 1 ] &&
      [ "$(ss -Hltn "sport = :$port" | wc -l)" = 1 ] && break
   sleep 0.1
done

# --once, by path, by inode, self: one listener each
for name in "/run/netns/$A" "$NSA"; do
   "$VISNET" --once --json --netns "$name" >"$VN_TMP/once.json" 2>"$VN_ERR" || vn_fail "--once --netns $name: exit $?"
   got=$(jq -c "[.listeners[] | select(.lport == $port) | .laddr]" "$VN_TMP/once.json")
   [ "$got" = '["0.0.0.0"]' ] || vn_fail "--netns $name: listeners on $port: $got"
   n=$(jq "[.listeners[], .connections[]] | length" "$VN_TMP/once.json")
   [ "$n" = 1 ] || vn_fail "--netns $name: $n sockets, want A's one listener"
done
"$VISNET" --once --json --netns self >"$VN_TMP/self.json" || vn_fail "--netns self: exit $?"
got=$(jq -c "[.listeners[] | select(.lport == $port) | .laddr]" "$VN_TMP/self.json")
[ "$got" = '["127.0.0.1"]' ] || vn_fail "--netns self: listeners on $port: $got"
echo "ok   --once --netns: A's listener alone by path and by inode $NSA; self: only ours"

# --json: the connections of A only, and hello says so
VN_CMD=("$VISNET" --json --netns "/run/netns/$A")
vn_start
ip netns exec $B python3 -c 'import socket, sys
for _ in range(3): socket.create_connection(("10.200.31.1", int(sys.argv[1]))).close()' "$port" ||
   vn_fail "connecting to A"
ip netns exec $A python3 -c 'import socket, sys
socket.create_connection(("10.200.31.1", int(sys.argv[1]))).close()' "$port" || vn_fail "connecting in A"
python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()' "$port" || vn_fail "connecting here"
vn_stop 1
[ "$(head -1 "$VN_OUT" | jq .netns)" = "$NSA" ] || vn_fail "hello: $(head -1 "$VN_OUT")"
other=$(jq -s "[.[] | select(.netns != null and .netns != $NSA)] | length" "$VN_OUT")
[ "$other" = 0 ] || vn_fail "$other events of other namespaces"
# in A: 3 accepts from B's client (B's connects are B's), 1 connect and 1 accept of A's own
acc=$(jq -s "[.[] | select(.type == \"accept\" and .lport == $port)] | length" "$VN_OUT")
con=$(jq -s "[.[] | select(.type == \"connect\" and .rport == $port)] | length" "$VN_OUT")
[ "$acc" = 4 ] && [ "$con" = 1 ] || vn_fail "A's events: $acc accepts (want 4), $con connects (want 1)"
echo "ok   --json --netns: hello says $NSA, 4 accepts and 1 connect of A, none of B or here"

# a name that is not a network namespace
"$VISNET" --once --netns /etc/hostname >/dev/null 2>"$VN_ERR"
rc=$?
[ "$rc" = 2 ] && [ "$(cat "$VN_ERR")" = "visnet: --netns: /etc/hostname is not a network namespace" ] ||
   vn_fail "--netns /etc/hostname: exit $rc, $(cat "$VN_ERR")"
echo PASS
