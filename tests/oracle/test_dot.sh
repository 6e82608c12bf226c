#!/bin/bash
# test_dot.sh: `visnet --once --dot | dot -Tsvg` works and shows what runs.
#
# Two processes hold a loopback connection, one of them with a hostile name
# (quote, backslash, braces, an escape byte) to prove the DOT escaping; the
# SVG must contain both process nodes, the endpoint and the edge.
set -u
. "${VISNET_TESTS:?}/lib.sh"
command -v dot >/dev/null || skip "graphviz (dot) not installed"
command -v python3 >/dev/null || skip "python3 not installed"
HERE=$VISNET_TESTS/oracle
DIR=$(mktemp -d /tmp/visnet-dot.XXXXXX)
PIDS=()
cleanup() {
   for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
   wait 2>/dev/null
   rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

P=$((30000 + ($$ * 13) % 2000))
mkfifo "$DIR/in"
sleep 300 >"$DIR/in" &
PIDS+=($!)
python3 "$HERE/oracle_hold.py" server 127.0.0.1 $P 1 "$DIR/srv" <"$DIR/in" 2>"$DIR/srv.err" &
SRV=$!
PIDS+=($SRV)
sleep 0.3
# the client renames itself before connecting
python3 -c '
import sys
open("/proc/self/comm", "w").write("e\"v\\il{x}\x1b[7m")
sys.argv = sys.argv[1:]
exec(open(sys.argv[0]).read())' "$HERE/oracle_hold.py" client 127.0.0.1 $P 1 "$DIR/cli" \
   <"$DIR/in" 2>"$DIR/cli.err" &
CLI=$!
PIDS+=($CLI)
for _ in $(seq 1 100); do
   [ -e "$DIR/srv" ] && [ -e "$DIR/cli" ] && break
   sleep 0.1
done
[ -e "$DIR/cli" ] || fail "helpers not ready: $(cat "$DIR"/*.err)"

"$VISNET" --once --dot >"$DIR/map.dot" 2>"$DIR/visnet.err" ||
   fail "visnet --once --dot failed: $(cat "$DIR/visnet.err")"
dot -Tsvg "$DIR/map.dot" >"$DIR/map.svg" 2>"$DIR/dot.err" ||
   fail "dot rejected the output: $(cat "$DIR/dot.err")"
# the pipe as documented
"$VISNET" --once --dot | dot -Tsvg >/dev/null || fail "visnet --once --dot | dot -Tsvg failed"

grep -q '<svg' "$DIR/map.svg" || fail "no svg produced"
grep -q "<title>p${SRV}_" "$DIR/map.svg" || fail "no node for the server (pid $SRV)"
grep -q "<title>p${CLI}_" "$DIR/map.svg" || fail "no node for the client (pid $CLI)"
grep -q "<title>p${CLI}_[0-9]*&#45;&gt;e_00000000000000000000ffff7f000001</title>" "$DIR/map.svg" ||
   fail "no edge from the client to 127.0.0.1"
grep -q ">127.0.0.1<" "$DIR/map.svg" || fail "no endpoint node 127.0.0.1"
grep -q "tcp/$P x1" "$DIR/map.svg" || fail "edge not labelled with the port"
grep -q "listen tcp/$P" "$DIR/map.svg" || fail "server node does not list its listening port"
# the hostile name: escaped in DOT, shown as fmt.h shows it (\\ and \e as text)
grep -q 'label="e\\"v\\\\\\\\il{x}\\\\e\[7m (' "$DIR/map.dot" ||
   fail "hostile name not escaped as expected: $(grep "p${CLI}_" "$DIR/map.dot" | head -1)"
if LC_ALL=C grep -q $'\x1b' "$DIR/map.dot"; then fail "raw escape byte in DOT output"; fi
pass
