# netpair.sh: two network namespaces joined by a veth pair, for the churn
# benchmarks (sourced). netpair_up A B NET sets up A (10.NET.0.1,
# fdNET::1) and B (10.NET.0.2, fdNET::2); netpair_down kills what runs in
# them and deletes them.
netpair_up() {
   local a=$1 b=$2 n=$3
   ip netns add "$a" && ip netns add "$b" || { echo "netpair: ip netns add failed"; return 1; }
   ip link add "vp$n-a$$" netns "$a" type veth peer name "vp$n-b$$" netns "$b"
   ip -n "$a" addr add "10.$n.0.1/24" dev "vp$n-a$$"
   ip -n "$b" addr add "10.$n.0.2/24" dev "vp$n-b$$"
   ip -n "$a" addr add "fd$n::1/64" dev "vp$n-a$$" nodad
   ip -n "$b" addr add "fd$n::2/64" dev "vp$n-b$$" nodad
   local x
   for x in "$a" "$b"; do ip -n "$x" link set lo up; done
   ip -n "$a" link set "vp$n-a$$" up
   ip -n "$b" link set "vp$n-b$$" up
   # a client's ports come back before the server's TIME_WAIT for them ends
   ip netns exec "$a" sysctl -qw net.ipv4.ip_local_port_range="10000 60999"
}

netpair_down() {
   local x
   for x in "$@"; do ip netns pids "$x" 2>/dev/null | xargs -r kill 2>/dev/null; done
   sleep 0.3
   for x in "$@"; do ip netns del "$x" 2>/dev/null; done
}
