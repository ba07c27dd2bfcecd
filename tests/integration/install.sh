#!/usr/bin/env bash
# install.sh — `cmake --install` puts the program, the library, the public headers and phiwall.pc
# under a prefix, and a program outside the tree builds against them through pkg-config.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v pkg-config >/dev/null || skip "pkg-config not installed"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cmake --install "$PW_BUILD" --prefix "$T/usr" >/dev/null
expect_code 0 $? "cmake --install"
for f in bin/phiwall include/phiwall/detect.h include/phiwall/version.h lib/libphiwall.a; do
    [ -e "$T/usr/$f" ] && pass || fail "$f not installed"
done
pc=$(find "$T/usr" -name phiwall.pc | head -1)
[ -n "$pc" ] && pass || { fail "phiwall.pc not installed"; finish; }
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --define-variable=prefix="$T/usr" --cflags --libs phiwall)
expect_code 0 $? "pkg-config resolves phiwall and its dependencies"
# a sanitizer build's archive needs the same runtime in the program that links it
extra=()
cc=cc
if grep -q '^PW_SANITIZE:BOOL=ON' "$PW_BUILD/CMakeCache.txt"; then
    cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$PW_BUILD/CMakeCache.txt")
    extra=(-fsanitize=address,undefined)
fi
"$cc" "${extra[@]}" "$PW_SRC/tests/data/install/use_libphiwall.c" $flags -o "$T/use"
expect_code 0 $? "a program builds against the installed library"
out=$("$T/use")
expect_match "$out" '^phiwall [0-9.]+ vocab [0-9]+$' "it runs and loads the vocabulary"
"$T/usr/bin/phiwall" --version >/dev/null
expect_code 0 $? "installed phiwall runs"
finish
