#!/bin/bash
# test_ss_oracle.sh: `visnet --once --json` against `ss`, as root and as an
# unprivileged user.
#
# Holds TCP (IPv4 and IPv6) and UDP sockets open between known processes on
# loopback and across a veth pair between two network namespaces created
# here (10.200.X.1 <-> 10.200.X.2), some owned by root, some by the user
# visnet-test (created if missing). Then:
#  - root run: every socket ss lists on the test ports (host and both
#    namespaces) is in visnet's JSON with the same addresses, ports, state
#    and a pid ss names; nothing extra on those ports.
#  - unprivileged run (runuser -u visnet-test): its own sockets have their
#    pid; root's sockets are listed with pid 0 and noowner "perm"; sockets of
#    the other namespaces are not visible (entering a namespace needs
#    CAP_SYS_ADMIN), which is asserted too.
set -u
. "${VISNET_TESTS:?}/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, a test user)"
for t in ss ip python3 runuser; do
   command -v $t >/dev/null || skip "$t not installed"
done
HERE=$VISNET_TESTS/oracle
USER_T=visnet-test
if ! id "$USER_T" >/dev/null 2>&1; then
   useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_T" ||
      fail "cannot create user $USER_T"
fi

X=$(($$ % 200 + 20))
NSA=vnoa$$ NSB=vnob$$
P=$((10000 + ($$ * 7) % 20000))
P_TCP=$P P_UDP=$((P + 1)) P_V6=$((P + 2)) P_NS=$((P + 3)) P_UTCP=$((P + 4)) P_UUDP=$((P + 5))
ALL=$P_TCP,$P_UDP,$P_V6,$P_NS,$P_UTCP,$P_UUDP
DIR=$(mktemp -d /tmp/visnet-oracle.XXXXXX)
chmod 755 "$DIR"
mkdir -m 1777 "$DIR/ready"
PIDS=()

cleanup() {
   exec 9>&- 2>/dev/null
   for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
   wait 2>/dev/null
   ip netns del "$NSA" 2>/dev/null
   ip netns del "$NSB" 2>/dev/null
   rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

# Everything the helpers read from stdin comes from one fifo: closing it
# ends them all.
mkfifo "$DIR/hold.in"
chmod 666 "$DIR/hold.in"
sleep 600 >"$DIR/hold.in" &
PIDS+=($!)

# hold NAME [PREFIX...] -- ARGS: starts a helper; READY file is $DIR/ready/NAME
hold() {
   local name=$1
   shift
   local pre=()
   while [ "$1" != "--" ]; do pre+=("$1"); shift; done
   shift
   "${pre[@]}" python3 "$HERE/oracle_hold.py" "$@" "$DIR/ready/$name" <"$DIR/hold.in" \
      2>"$DIR/$name.err" &
   PIDS+=($!)
}

wait_ready() {
   for _ in $(seq 1 200); do
      [ -e "$DIR/ready/$1" ] && return 0
      sleep 0.1
   done
   fail "helper $1 not ready: $(cat "$DIR/$1.err" 2>/dev/null)"
}

# --- network namespaces joined by a veth pair ---
ip netns add "$NSA" && ip netns add "$NSB" || fail "ip netns add"
ip link add "vo${$}a" type veth peer name "vo${$}b" || fail "veth"
ip link set "vo${$}a" netns "$NSA" && ip link set "vo${$}b" netns "$NSB" || fail "veth netns"
ip -n "$NSA" addr add "10.200.$X.1/24" dev "vo${$}a"
ip -n "$NSB" addr add "10.200.$X.2/24" dev "vo${$}b"
for ns in "$NSA" "$NSB"; do
   ip -n "$ns" link set lo up
done
ip -n "$NSA" link set "vo${$}a" up && ip -n "$NSB" link set "vo${$}b" up || fail "link up"

# --- root's sockets ---
hold srv -- server 127.0.0.1 $P_TCP 3
sleep 0.3
hold cli -- client 127.0.0.1 $P_TCP 3
hold udp -- udp 127.0.0.1 $P_UDP
hold srv6 -- server ::1 $P_V6 1
sleep 0.3
hold cli6 -- client ::1 $P_V6 1
hold nssrv ip netns exec "$NSB" -- server "10.200.$X.2" $P_NS 2
sleep 0.5
hold nscli ip netns exec "$NSA" -- client "10.200.$X.2" $P_NS 2
# --- the unprivileged user's sockets ---
hold usrv runuser -u "$USER_T" -- -- server 127.0.0.1 $P_UTCP 2
sleep 0.3
hold ucli runuser -u "$USER_T" -- -- client 127.0.0.1 $P_UTCP 2
hold uudp runuser -u "$USER_T" -- -- udp 127.0.0.1 $P_UUDP
for r in srv cli udp srv6 cli6 nssrv nscli usrv ucli uudp; do wait_ready "$r"; done

# --- what ss sees ---
ss -tuanpeH >"$DIR/ss.host" 2>/dev/null || fail "ss"
ip netns exec "$NSA" ss -tuanpeH >"$DIR/ss.a" 2>/dev/null || fail "ss in $NSA"
ip netns exec "$NSB" ss -tuanpeH >"$DIR/ss.b" 2>/dev/null || fail "ss in $NSB"

# --- root run ---
"$VISNET" --once --json >"$DIR/root.json" 2>"$DIR/root.err" ||
   fail "visnet --once --json (root) failed: $(cat "$DIR/root.err")"
check_document "$DIR/root.json"
echo "root run:"
python3 "$HERE/oracle_check.py" "$DIR/root.json" "$ALL" "$DIR/ss.host" "$DIR/ss.a" "$DIR/ss.b" ||
   fail "root run differs from ss"

# --- unprivileged run: a copy of the binary the user can execute ---
cp "$VISNET" "$DIR/visnet" && chmod 755 "$DIR/visnet"
runuser -u "$USER_T" -- "$DIR/visnet" --once --json >"$DIR/user.json" 2>"$DIR/user.err" ||
   fail "visnet --once --json ($USER_T) failed: $(cat "$DIR/user.err")"
check_document "$DIR/user.json"
echo "unprivileged run ($USER_T): own sockets with pid, root's with pid 0 (perm)," \
   "other namespaces not visible:"
python3 "$HERE/oracle_check.py" "$DIR/user.json" "$ALL" "$DIR/ss.host" "$DIR/ss.a" "$DIR/ss.b" \
   --unowned-perm "$P_TCP,$P_UDP,$P_V6" --absent "$P_NS" ||
   fail "unprivileged run is not what it should be"
grep -q "not readable" "$DIR/user.err" || fail "unprivileged run did not say owners are hidden"
pass
