#!/usr/bin/env bash
# The README's schema tables are what `fleetmc schema` prints from engine/schema.h, line for line.
# usage: bash tests/test_readme_schema.sh FLEETMC README
set -euo pipefail
fleetmc=$1 readme=$2
expected=$("$fleetmc" schema)
actual=$(sed -n '/^<!-- schema:begin/,/^<!-- schema:end/p' "$readme" | sed '1d;$d')
if [ -z "$actual" ]; then
  echo "FAIL: $readme has no block between <!-- schema:begin and <!-- schema:end" >&2
  exit 1
fi
if [ "$expected" != "$actual" ]; then
  echo "FAIL: $readme's schema differs from 'fleetmc schema' (paste its output between the markers):" >&2
  diff <(echo "$expected") <(echo "$actual") >&2 || true
  exit 1
fi
echo "README schema matches fleetmc schema ($(echo "$expected" | wc -l) lines)"
