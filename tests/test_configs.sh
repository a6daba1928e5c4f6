#!/usr/bin/env bash
# Every scenario of the library in configs/ validates (`fleetmc check` exits 0) and opens with a
# header naming the file and saying what it changes and why (issue 11: the scenario library).
# usage: bash tests/test_configs.sh FLEETMC SOURCE_DIR
set -uo pipefail
fleetmc=$1
configs=$2/configs
failures=0
count=0
for file in "$configs"/*.yaml; do
  name=$(basename "$file")
  count=$((count + 1))
  if ! out=$("$fleetmc" check "$file" 2>&1 >/dev/null); then
    echo "FAIL $name: fleetmc check refuses it: $out"
    failures=$((failures + 1))
  fi
  if ! head -n 1 "$file" | grep -q "^# $name: "; then
    echo "FAIL $name: its first line must be '# $name: what it is'"
    failures=$((failures + 1))
  fi
done
if [ "$count" -eq 0 ]; then
  echo "FAIL no scenario in $configs"
  exit 1
fi
echo "$count scenarios, $failures failure(s)"
[ "$failures" -eq 0 ]
