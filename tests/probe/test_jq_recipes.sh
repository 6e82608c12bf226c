#!/bin/bash
# test_jq_recipes.sh: the jq recipes of docs/JSON.md on `visnet --once
# --json`, run as written there, against a connection this test holds
# open (the server waits 3 s before it replies): who talks to this
# address and port, and the top talkers by bytes.
. "$(dirname "$0")/lib.sh"
vn_require jq
P=$((20000 + RANDOM % 12000))
$VN_APP server --port $P --reply 500 --delay 3 --out "$VN_TMP/s" &
SPID=$!
VN_PIDS+=($SPID)
vn_wait_file "$VN_TMP/s.ready"
$VN_APP client --port $P --send 1000 --out "$VN_TMP/c" &
CPID=$!
VN_PIDS+=($CPID)
sleep 1 # the client has sent its 1000 bytes and waits for the reply
"$VISNET" --once --json >"$VN_TMP/once.json" 2>"$VN_ERR" || vn_fail "--once --json"
PYTHONPATH=$(dirname "$0") python3 -c 'import sys; from evcheck import document_errors; e = document_errors(sys.argv[1]); print(e[:3]); sys.exit(1 if e else 0)' \
   "$VN_TMP/once.json" || vn_fail "the document does not follow the schema"
# recipe: who talks to this address and port
who=$(jq -r --arg a 127.0.0.1 --argjson p $P \
   '.connections[] | select(.raddr == $a and .rport == $p) | "\(.comm)[\(.pid)]"' "$VN_TMP/once.json")
[ "$who" = "python3[$CPID]" ] || vn_fail "who talks to 127.0.0.1:$P: '$who', want python3[$CPID]"
# recipe: top talkers
jq -r '.process_list | sort_by(-(.tx + .rx)) | .[] | "\(.tx + .rx) \(.comm)[\(.pid)]"' \
   "$VN_TMP/once.json" >"$VN_TMP/top"
grep -qx "1000 python3\[$CPID\]" "$VN_TMP/top" || vn_fail "top talkers: no '1000 python3[$CPID]': $(head -5 "$VN_TMP/top")"
grep -qx "1000 python3\[$SPID\]" "$VN_TMP/top" || vn_fail "top talkers: no '1000 python3[$SPID]'"
sort -k1,1nr -s "$VN_TMP/top" | cmp -s - "$VN_TMP/top" || vn_fail "top talkers are not sorted"
vn_wait_file "$VN_TMP/c"
echo "PASS"
