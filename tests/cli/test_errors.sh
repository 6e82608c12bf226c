#!/usr/bin/env bash
# Every bad input gets one clear line on stderr and a non-zero exit, never a
# crash or a hang: bad flags, missing or corrupt event logs, an unwritable
# record file, a UI without a terminal.
set -u
. "$VISNET_TESTS/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect CODE PATTERN -- ARGS: exit code CODE, exactly one stderr line matching PATTERN.
expect() {
   local code=$1 pat=$2
   shift 3
   local rc=0
   timeout 20 "$VISNET" "$@" </dev/null >"$tmp/out" 2>"$tmp/all" || rc=$?
   # The end-of-run summary (--headless, --json) is not an error line.
   grep -vE '^visnet: [a-zA-Z ]+: [0-9]+ events' "$tmp/all" >"$tmp/err"
   local lines
   lines=$(wc -l <"$tmp/err")
   if [ "$rc" -ne "$code" ] || [ "$lines" -ne 1 ] || ! grep -qE "$pat" "$tmp/err"; then
      fail "visnet $*: exit $rc (want $code), stderr ($lines lines): $(cat "$tmp/err")"
   fi
}

expect 2 "^visnet: unknown option '--bogus'" -- --bogus
expect 2 "^visnet: option '-d' needs a value" -- -d
expect 2 "^visnet: -d: 'abc' is not a delay" -- -d abc
expect 2 "^visnet: -d: '0' is not a delay" -- -d 0
expect 2 "^visnet: -p: '-5' is not a process id" -- -p -5
expect 2 "^visnet: --view: 'sideways'" -- --view sideways
expect 2 "^visnet: --sort: 'size'" -- --sort size
expect 2 "^visnet: --duration: 'x'" -- --duration x
expect 2 "^visnet: --probe-bytes: 'often' is not one of poll, trace" -- --probe-bytes often
expect 2 "^visnet: --probe-states: 'some' is not one of lasting, all" -- --probe-states some
expect 2 "^visnet: --dot needs --once" -- --dot
expect 2 "^visnet: unexpected argument 'extra'" -- extra
expect 2 "^visnet: --replay and --record" -- --replay a --record b
# what was typed is quoted escaped: one line, no escape sequence reaches the terminal
expect 2 '^visnet: unexpected argument .x\\e\]0;pwn\\x07y\\x0az.' -- $'x\e]0;pwn\ay\nz'
expect 1 '^visnet: /tmp/no\\e\[2Jfile: No such file' -- --replay $'/tmp/no\e[2Jfile' --json

"$VISNET" --help >"$tmp/help" 2>&1 || fail "--help exited non-zero"
grep -q -- "--once" "$tmp/help" || fail "--help does not list --once"
"$VISNET" --version | grep -qE '^visnet [0-9]' || fail "--version"

# Event logs: missing, not a log, wrong version, truncated.
expect 1 "^visnet: .*nothere.evlog" -- --replay "$tmp/nothere.evlog" --headless
printf 'hello world, not a log at all\n' >"$tmp/text.evlog"
expect 1 "^visnet: .*(magic|not a visnet event log)" -- --replay "$tmp/text.evlog" --headless
: >"$tmp/empty.evlog"
expect 1 "^visnet: .*" -- --replay "$tmp/empty.evlog" --headless

sample="$VISNET_TESTS/data/sample.evlog"
[ -f "$sample" ] || fail "missing $sample"
size=$(stat -c %s "$sample")
head -c $((size - 7)) "$sample" >"$tmp/trunc.evlog"
rc=0
timeout 20 "$VISNET" --replay "$tmp/trunc.evlog" --speed 0 --json >"$tmp/trunc.json" 2>"$tmp/err" || rc=$?
# what a kill -9 while recording leaves: replayed up to the cut, one warning, exit 0
grep -qE "^visnet: replay: [0-9]+ events, 0 lost" "$tmp/err" || fail "truncated log: no summary: $(cat "$tmp/err")"
[ "$rc" -eq 0 ] || fail "truncated log: exit $rc, want 0"
[ "$(grep -c . "$tmp/err")" -eq 2 ] || fail "truncated log: want the summary and one warning: $(cat "$tmp/err")"
grep -qE "^visnet: the log ends in a partial record at offset [0-9]+ .*replayed up to it" "$tmp/err" ||
   fail "truncated log: $(cat "$tmp/err")"
check_stream "$tmp/trunc.json"
full=$("$VISNET" --replay "$sample" --speed 0 --json | wc -l)
got=$(wc -l <"$tmp/trunc.json")
[ "$got" -eq $((full - 1)) ] || fail "truncated log: $got events before the cut, want $((full - 1))"

# A flipped byte in the middle of a record: checksum error with its offset.
cp "$sample" "$tmp/corrupt.evlog"
printf '\xff' | dd of="$tmp/corrupt.evlog" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect 1 "^visnet: replay .*offset [0-9]+" -- --replay "$tmp/corrupt.evlog" --speed 0 --headless

# --record never writes over an existing file (unless --force), through a
# symbolic link, or into anything but a regular file; it makes it 0600.
expect 1 "^visnet: .*/dev/full: exists \(--force replaces it\)" -- --no-bpf --record /dev/full --headless --duration 0.5
expect 1 "^visnet: .*/dev/full: not a regular file" -- --no-bpf --record /dev/full --force --headless --duration 0.5
echo keep >"$tmp/old.evlog"
expect 1 "^visnet: .*old.evlog: exists \(--force replaces it\)" -- --no-bpf --headless --duration 0.2 --record "$tmp/old.evlog"
ln -s "$tmp/target" "$tmp/link.evlog"
expect 1 "^visnet: .*link.evlog: exists" -- --no-bpf --record "$tmp/link.evlog" --headless --duration 0.2
expect 1 "^visnet: .*link.evlog: a symbolic link, not followed" -- --no-bpf --record "$tmp/link.evlog" --force --headless --duration 0.2
[ ! -e "$tmp/target" ] || fail "--record followed a symbolic link"
[ "$(cat "$tmp/old.evlog")" = keep ] || fail "--record wrote over an existing file"
expect 2 "^visnet: --record-max: '10X' is not a size" -- --record "$tmp/x.evlog" --record-max 10X
expect 2 "^visnet: --record-max and --force go with --record" -- --force --headless
umask 022
"$VISNET" --no-bpf --record "$tmp/new.evlog" --headless --duration 0.3 2>/dev/null || fail "--record to a new file"
[ "$(stat -c %a "$tmp/new.evlog")" = 600 ] || fail "the log is not mode 0600: $(stat -c %a "$tmp/new.evlog")"
"$VISNET" --no-bpf --record "$tmp/old.evlog" --force --headless --duration 0.3 2>/dev/null || fail "--force"
[ "$(stat -c %a "$tmp/old.evlog")" = 600 ] && [ "$(head -c 8 "$tmp/old.evlog")" = VISNETEL ] ||
   fail "--force did not replace the file with a 0600 log"

# A log to replay is a regular file: a FIFO, a socket, a device or a
# directory is refused at once (expect's timeout of 20 s catches a hang).
mkfifo "$tmp/fifo"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/sock"
for f in "$tmp/fifo" "$tmp/sock" /dev/null "$tmp"; do
   expect 1 "^visnet: .*: not a regular file" -- --replay "$f" --headless
done
expect 1 "^visnet: .*fifo: not a regular file" -- --no-bpf --record "$tmp/fifo" --force --headless --duration 0.2
expect 1 "^visnet: .*sock: not a regular file" -- --no-bpf --record "$tmp/sock" --force --headless --duration 0.2

# Modes and forms that cannot go together: one line naming both.
expect 2 "^visnet: --once and --headless cannot be combined" -- --once --headless
expect 2 "^visnet: --json and --headless cannot be combined" -- --json --headless
expect 2 "^visnet: --json and --dot cannot be combined" -- --once --json --dot
expect 2 "^visnet: --dot and --headless cannot be combined" -- --dot --headless
expect 2 "^visnet: unexpected argument 'extra'" -- --help extra
expect 2 "^visnet: --replay: an empty file name" -- --replay ""
expect 2 "^visnet: --record: an empty file name" -- --record ""
# One rule for numbers: decimal, with a unit for times; no hex, no exponent.
expect 2 "^visnet: --speed: '0x10' is not a number" -- --speed 0x10
expect 2 "^visnet: --duration: '0x1p3' is not a time" -- --duration 0x1p3
expect 2 "^visnet: --duration: '1e3' is not a time" -- --duration 1e3
expect 2 "^visnet: --prune-after: '-5' is not a time" -- --prune-after -5
expect 2 "^visnet: -d: '0x10' is not a delay" -- -d 0x10
# --remote: host names ssh cannot take for options, and what goes with it
expect 2 "^visnet: --remote: an empty host name" -- --remote ""
expect 2 "^visnet: --remote: an empty host name" -- --remote a,,b
expect 2 "^visnet: --remote: '-oProxyCommand=x' is not a host name" -- --remote -oProxyCommand=x --once
expect 2 "^visnet: --remote: 'a;reboot' is not a host name" -- --remote 'a;reboot' --once
expect 2 "^visnet: --remote cannot be combined with --replay" -- --remote a --replay x
expect 2 "^visnet: --ssh-command and --remote-visnet go with --remote" -- --ssh-command ssh
expect 2 "^visnet: --ssh-command: an empty command" -- --remote a --ssh-command " "
expect 2 "^visnet: --netns 'a b' with --remote: a name of letters" -- --remote a --netns "a b"
expect 2 "^visnet: --while-stdin is for the far side" -- --remote a --while-stdin
expect 1 "^visnet: --remote: a given twice" -- --remote a,b,a --once
expect 1 "^visnet: --remote-file $tmp/none: No such file" -- --remote-file "$tmp/none" --once
printf '# only a comment\n\n' >"$tmp/hosts"
expect 1 "^visnet: --remote-file $tmp/hosts: no host in it" -- --remote-file "$tmp/hosts" --once
printf 'web1\n  db1 # the database\nx y\n' >"$tmp/hosts"
expect 1 "^visnet: --remote-file $tmp/hosts:3: --remote: 'x y' is not a host name" -- --remote-file "$tmp/hosts" --once
expect 1 "^visnet: the terminal UI needs a terminal" -- --remote a
# a host that cannot be started: its reason, once, and exit 1; the picture says it too
expect 1 "^visnet: a: visnet: cannot run /nonexistent/ssh: No such file or directory$" -- \
   --remote a --ssh-command /nonexistent/ssh --once
grep -qx "a \[down: visnet: cannot run /nonexistent/ssh: No such file or directory\]" "$tmp/out" ||
   fail "--once with a host down: $(cat "$tmp/out")"
"$VISNET" --replay "$sample" --speed 0 --headless --duration 0.5s --prune-after 5m 2>/dev/null ||
   fail "--duration 0.5s --prune-after 5m were refused"

# Out of file descriptors: --once either completes (our own listener is
# there with its owner) or says what it could not read and exits 1, never
# an empty picture with exit 0.
python3 -c 'import os, socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], os.getpid(), flush=True); time.sleep(30)' >"$tmp/lport" &
lpy=$!
trap 'kill $lpy 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/lport" ] && break; sleep 0.1; done
read -r lport lpid <"$tmp/lport"
for n in $(seq 4 16); do
   rc=0
   bash -c "ulimit -n $n && exec \"\$0\" --once" "$VISNET" >"$tmp/once.txt" 2>"$tmp/once.err" || rc=$?
   if [ "$rc" -eq 127 ] && grep -q "error while loading shared libraries" "$tmp/once.err"; then
      continue # too few even for the dynamic loader: visnet never ran
   elif [ "$rc" -eq 0 ]; then
      grep -q "python3($lpid)" "$tmp/once.txt" && grep -q "LISTEN 127.0.0.1:$lport" "$tmp/once.txt" ||
         fail "ulimit -n $n: exit 0 without our listener: $(tail -2 "$tmp/once.txt")"
   else
      [ "$rc" -eq 1 ] && [ "$(grep -c . "$tmp/once.err")" -eq 1 ] &&
         grep -qE "^visnet: (could not read [0-9]+ processes|cannot (open|read) /proc|.*): Too many open files" "$tmp/once.err" ||
         fail "ulimit -n $n: exit $rc, $(cat "$tmp/once.err")"
   fi
done

# The UI needs a terminal.
expect 1 "^visnet: .*terminal" -- --replay "$sample"

pass
