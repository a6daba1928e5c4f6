#!/usr/bin/env bash
# test_install: installs a fleetmc build into a temporary prefix, checks what the install holds,
# then builds tests/consumer/main.c against that prefix twice, through find_package(fleetmc) and
# through `pkg-config --static fleetmc`, and runs both on configs/baseline.yaml. An install that
# lacks a file, leaks this build's flags, or does not link and work for a user fails here.
# usage: bash tests/consumer/run.sh BUILD_DIR SOURCE_DIR
# CMAKE and CC name the cmake and compiler to use (ctest sets them to the build's own).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: bash tests/consumer/run.sh BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
cmake=${CMAKE:-cmake}
cc=${CC:-cc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fleetmc_install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

fail() {
  echo "test_install: $*" >&2
  exit 1
}

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }

# The library directory is lib/ or, with GNUInstallDirs on a /usr prefix, lib/<multiarch>/.
pc=$(find "$prefix" -name fleetmc.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || fail "no fleetmc.pc under $prefix"
libdir=$(dirname "$(dirname "$pc")")
for f in bin/fleetmc share/man/man1/fleetmc.1 include/fleetmc/scenario.h include/fleetmc/params.h \
         include/fleetmc/build_info.h; do
  [ -f "$prefix/$f" ] || fail "$f is not installed"
done
for f in libfleetmc.a cmake/fleetmc/fleetmcConfig.cmake cmake/fleetmc/fleetmcConfigVersion.cmake \
         cmake/fleetmc/fleetmcTargets.cmake; do
  [ -f "$libdir/$f" ] || fail "${libdir#"$prefix"/}/$f is not installed"
done
[ -x "$prefix/bin/fleetmc" ] || fail "bin/fleetmc is not executable"
"$prefix/bin/fleetmc" --version >/dev/null || fail "the installed fleetmc --version failed"
head -n 5 "$prefix/share/man/man1/fleetmc.1" | grep -q '^\.TH FLEETMC 1' || fail "fleetmc.1 has no .TH FLEETMC 1 header"

# The build's own choices must not reach its consumers' compile lines.
leaks=$(grep -l -E -e '-march=native|-Wall|-Wextra|-Werror|-ffp-contract' \
          "$libdir"/cmake/fleetmc/*.cmake "$pc" || true)
[ -z "$leaks" ] || fail "build flags leak into: $leaks"

# Through CMake, as a user's project would.
"$cmake" -S "$source/tests/consumer" -B "$tmp/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >"$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log" >&2; fail "configuring the consumer with find_package(fleetmc) failed"; }
"$cmake" --build "$tmp/consumer" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; fail "building the consumer against fleetmc::fleetmc failed"; }
"$tmp/consumer/fleetmc_consumer" "$source/configs/baseline.yaml" ||
  fail "the consumer built with find_package failed"

# Through pkg-config.
flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs --static fleetmc) ||
  fail "pkg-config --static fleetmc failed"
# shellcheck disable=SC2086 # the flags are words to split
"$cc" -std=c17 -o "$tmp/consumer_pc" "$source/tests/consumer/main.c" $flags ||
  fail "compiling the consumer with: $cc $flags"
"$tmp/consumer_pc" "$source/configs/baseline.yaml" || fail "the consumer built with pkg-config failed"

echo "test_install: ok"
