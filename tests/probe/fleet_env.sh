# fleet_env.sh: a small fleet on one kernel, for the --remote tests
# (sourced after lib.sh). Each "host" is a network namespace with a real
# OpenSSH sshd of its own (a generated host key, root logging in with a
# generated user key, a known_hosts that names the host key: strict
# checking stays on); hosts a and b are also joined by a veth pair:
#   here  10.213.N.1  <->  host N  10.213.N.2 (sshd)        N = 1, 2, 3
#   a     10.214.0.1  <->  b       10.214.0.2 (their own traffic)
# Everything is undone by lib.sh's cleanup and fleet_cleanup (trap).
# FLEET_SSH is the --ssh-command that uses this test's ssh config; its
# hosts are named a, b, c.

FLEET_DIR=$VN_TMP/fleet
FLEET_NS=()
FLEET_TAG=vf$(($$ % 10000))

fleet_require() {
   command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || vn_skip "openssh-server not installed"
   command -v ssh >/dev/null || vn_skip "openssh-client not installed"
   command -v ssh-keygen >/dev/null || vn_skip "ssh-keygen not installed"
}

fleet_cleanup() {
   local f
   for f in "$FLEET_DIR"/sshd_*.pid; do
      [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
   done
   for f in "${FLEET_NS[@]}"; do
      ip netns pids "$f" 2>/dev/null | xargs -r kill -9 2>/dev/null
   done
   vn_cleanup
}
trap fleet_cleanup EXIT

# fleet_host NAME N: namespace $FLEET_TAG-NAME at 10.213.N.2, sshd started.
fleet_host() {
   local name=$1 n=$2 ns=$FLEET_TAG-$1
   ip netns add "$ns" || vn_fail "ip netns add $ns"
   VN_NETNS+=("$ns")
   FLEET_NS+=("$ns")
   ip link add "$FLEET_TAG${name}h" type veth peer name "$FLEET_TAG${name}n" || vn_fail "veth"
   VN_LINKS+=("$FLEET_TAG${name}h")
   ip link set "$FLEET_TAG${name}n" netns "$ns"
   ip addr add "10.213.$n.1/24" dev "$FLEET_TAG${name}h"
   ip link set "$FLEET_TAG${name}h" up
   ip -n "$ns" addr add "10.213.$n.2/24" dev "$FLEET_TAG${name}n"
   ip -n "$ns" link set "$FLEET_TAG${name}n" up
   ip -n "$ns" link set lo up
   cat >"$FLEET_DIR/sshd_$name.conf" <<EOF
ListenAddress 10.213.$n.2
Port 22
HostKey $FLEET_DIR/host_key
AuthorizedKeysFile $FLEET_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $FLEET_DIR/sshd_$name.pid
PrintMotd no
SetEnv PATH=$([ "$name" = "${FLEET_NO_VISNET:-}" ] || echo "$FLEET_DIR/bin:")/usr/sbin:/usr/bin:/sbin:/bin
EOF
   cat >>"$FLEET_DIR/ssh_config" <<EOF
Host $name
   HostName 10.213.$n.2
   User root
   IdentityFile $FLEET_DIR/user_key
   IdentitiesOnly yes
   UserKnownHostsFile $FLEET_DIR/known_hosts
   StrictHostKeyChecking yes
   HostKeyAlias fleet-test-host
EOF
   fleet_sshd "$name"
}

# fleet_sshd NAME: (re)starts host NAME's sshd; returns once it listens.
fleet_sshd() {
   local name=$1 ns=$FLEET_TAG-$1
   mkdir -p /run/sshd
   ip netns exec "$ns" /usr/sbin/sshd -f "$FLEET_DIR/sshd_$name.conf" -E "$FLEET_DIR/sshd_$name.log" ||
      vn_fail "sshd for $name did not start: $(tail -2 "$FLEET_DIR/sshd_$name.log")"
   for _ in $(seq 50); do
      [ "$(ip netns exec "$ns" ss -Hltn 'sport = :22' | wc -l)" -ge 1 ] && return 0
      sleep 0.1
   done
   vn_fail "sshd for $name does not listen"
}

# fleet_kill_sshd NAME: every sshd of host NAME (the listener and the
# sessions): its connection drops, as when a machine goes away.
fleet_kill_sshd() {
   local ns=$FLEET_TAG-$1 p
   for p in $(ip netns pids "$ns"); do
      [ "$(cat /proc/$p/comm 2>/dev/null)" = sshd ] && kill -9 "$p"
   done
   rm -f "$FLEET_DIR/sshd_$1.pid"
}

# fleet_setup NAME...: keys, then hosts a (1), b (2), c (3) as named.
fleet_setup() {
   fleet_require
   mkdir -p "$FLEET_DIR" && chmod 700 "$FLEET_DIR"
   ssh-keygen -q -t ed25519 -N '' -f "$FLEET_DIR/host_key" || vn_fail "ssh-keygen"
   ssh-keygen -q -t ed25519 -N '' -f "$FLEET_DIR/user_key" || vn_fail "ssh-keygen"
   cp "$FLEET_DIR/user_key.pub" "$FLEET_DIR/authorized_keys"
   mkdir -p "$FLEET_DIR/bin" && ln -s "$VISNET" "$FLEET_DIR/bin/visnet"
   echo "fleet-test-host $(cut -d' ' -f1,2 "$FLEET_DIR/host_key.pub")" >"$FLEET_DIR/known_hosts"
   : >"$FLEET_DIR/ssh_config"
   local name n=0
   for name in "$@"; do
      n=$((n + 1))
      fleet_host "$name" "$n"
   done
   if [ -n "${2:-}" ]; then # a and b see each other
      ip link add "${FLEET_TAG}ab" type veth peer name "${FLEET_TAG}ba" || vn_fail "veth a-b"
      ip link set "${FLEET_TAG}ab" netns "$FLEET_TAG-$1"
      ip link set "${FLEET_TAG}ba" netns "$FLEET_TAG-$2"
      ip -n "$FLEET_TAG-$1" addr add 10.214.0.1/24 dev "${FLEET_TAG}ab"
      ip -n "$FLEET_TAG-$2" addr add 10.214.0.2/24 dev "${FLEET_TAG}ba"
      ip -n "$FLEET_TAG-$1" link set "${FLEET_TAG}ab" up
      ip -n "$FLEET_TAG-$2" link set "${FLEET_TAG}ba" up
   fi
   FLEET_SSH="ssh -F $FLEET_DIR/ssh_config"
   ssh -F "$FLEET_DIR/ssh_config" -o BatchMode=yes "$1" true ||
      vn_fail "ssh to host $1 of the test fleet fails"
}

# fleet_ns NAME: the namespace of host NAME (for ip netns exec).
fleet_ns() { echo "$FLEET_TAG-$1"; }

# fleet_wrap: an ssh for the tests' --ssh-command: hosts junk and v2 are
# fakes (junk says hello, then garbage, then an event that must never be
# read; v2 speaks schema version 2); every other host is real ssh with
# this test's config. FLEET_SSH names it.
fleet_wrap() {
   cat >"$FLEET_DIR/ssh-wrap" <<EOF2
#!/bin/bash
host= prev=
for a in "\$@"; do [ "\$prev" = -- ] && { host=\$a; break; }; prev=\$a; done
case \$host in
junk)
   printf '%s\n' '{"type":"hello","ts":1000,"visnet":"0.1.0","schema":1,"host":"junk","mode":"live","v":1}' \
      '{"type":"ready","ts":1001,"time":"2026-12-07T10:00:00.000000Z","events":0,"v":1}' 'this is not json' \
      '{"type":"sock","ts":1002,"pid":4242,"proto":"tcp","family":"ipv4","laddr":"10.9.9.9","lport":7777,"raddr":"10.9.9.8","rport":7778,"dir":"out","state":"ESTABLISHED","v":1}'
   exec sleep 30 ;;
v2)
   printf '%s\n' '{"type":"hello","ts":1000,"visnet":"9.0.0","schema":2,"host":"v2","mode":"live","v":2}'
   exec sleep 30 ;;
esac
exec ssh -F $FLEET_DIR/ssh_config "\$@"
EOF2
   chmod +x "$FLEET_DIR/ssh-wrap"
   FLEET_SSH=$FLEET_DIR/ssh-wrap
}
