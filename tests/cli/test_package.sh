#!/usr/bin/env bash
# The Debian package, as a sysadmin installs it: built from the tree by
# CPack (cpack -G DEB in the build directory), its dependencies declared
# from the binary's libraries, installed with dpkg on this machine, then
# visnet --version, man -l on the installed page and the bash completion
# of the flags work; dpkg -r removes every file it put there. Root (dpkg).
set -u
. "$VISNET_TESTS/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg -i)"
for t in cpack dpkg-deb dpkg-shlibdeps man; do
   command -v "$t" >/dev/null || skip "$t is not installed"
done
if dpkg-query -W -f='${Status}' visnet 2>/dev/null | grep -q 'ok installed'; then
   skip "a visnet package is installed on this machine: not replacing it"
fi
: "${VISNET_BUILD:?}"
tmp=$(mktemp -d /tmp/vn-pkg.XXXXXX)
installed=
cleanup() {
   [ -n "$installed" ] && dpkg -r visnet >/dev/null 2>&1
   rm -rf "$tmp"
}
trap cleanup EXIT

version=$(sed -n 's/^project(visnet VERSION \([0-9.]*\).*/\1/p' "$VISNET_TESTS/../CMakeLists.txt")
[ -n "$version" ] || fail "no version in CMakeLists.txt"
(cd "$VISNET_BUILD" && cpack -G DEB -B "$tmp" >"$tmp/cpack.log" 2>&1) ||
   fail "cpack failed: $(tail -5 "$tmp/cpack.log")"
deb=$(ls "$tmp"/visnet_"$version"_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no visnet_${version}_*.deb in $tmp: $(ls "$tmp")"

# what it holds and needs
dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/files"
for f in ./usr/sbin/visnet ./usr/share/man/man1/visnet.1 \
   ./usr/share/bash-completion/completions/visnet ./usr/share/zsh/vendor-completions/_visnet \
   ./usr/share/doc/visnet/README.md ./usr/share/doc/visnet/USAGE.md ./usr/share/doc/visnet/LICENSE; do
   grep -qxF "$f" "$tmp/files" || fail "the package lacks $f"
done
deps=$(dpkg-deb -f "$deb" Depends)
for lib in libbpf1 libncursesw6 libc6; do # libelf1 comes with libbpf1
   grep -q "\\b$lib\\b" <<<"$deps" || fail "Depends lacks $lib: $deps"
done
[ "$(dpkg-deb -f "$deb" Package)" = visnet ] && [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
   fail "package name or version: $(dpkg-deb -f "$deb" Package Version)"
echo "ok   $(basename "$deb"): $(wc -l <"$tmp/files") entries, Depends: $deps"

# installed
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || fail "dpkg -i: $(tail -3 "$tmp/dpkg.log")"
installed=1
[ "$(/usr/sbin/visnet --version)" = "visnet $version" ] || fail "installed --version: $(/usr/sbin/visnet --version)"
man -l /usr/share/man/man1/visnet.1 2>/dev/null | grep -q '^SETTINGS' || fail "man -l: no SETTINGS section"
words=$(bash -c '. /usr/share/bash-completion/completions/visnet
   COMP_WORDS=(visnet --no-c); COMP_CWORD=1; _visnet; echo "${COMPREPLY[*]}"')
[ "$words" = "--no-color --no-colour --no-config" ] || fail "completion of --no-c: '$words'"
words=$(bash -c '. /usr/share/bash-completion/completions/visnet
   COMP_WORDS=(visnet --sort r); COMP_CWORD=2; _visnet; echo "${COMPREPLY[*]}"')
[ "$words" = "rate rtt retrans" ] || fail "completion of --sort r: '$words'"
if command -v zsh >/dev/null; then
   zsh -n /usr/share/zsh/vendor-completions/_visnet || fail "the zsh completion does not parse"
fi
echo "ok   installed: visnet --version, man -l, bash completion of flags and sort keys"

# removed, every file with it
dpkg -r visnet >"$tmp/dpkg.log" 2>&1 || fail "dpkg -r: $(tail -3 "$tmp/dpkg.log")"
installed=
dpkg-query -W -f='${Status}' visnet 2>/dev/null | grep -q 'ok installed' && fail "still installed after dpkg -r"
while read -r f; do
   f=${f#.}
   [ -f "$f" ] && fail "$f left after dpkg -r"
done <"$tmp/files"
echo "ok   dpkg -r: no file of the package left"
