#!/usr/bin/env bash
# `npm run lint`: every static check (Prettier's check, ESLint with the layer boundaries, tsc, knip).
# They run at once, each into its own log, so the run takes about as long as ESLint alone rather
# than the sum of the four; the logs are then printed in order, in full for a check that failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

check() {
  local name=$1
  shift
  ("$@" >"$logs/$name" 2>&1; echo $? >"$logs/$name.rc") &
}
check prettier npm run -s lint:format
check eslint npm run -s lint:eslint
check tsc npm run -s lint:types
check knip npm run -s lint:unused
wait

status=0
for name in prettier eslint tsc knip; do
  if [ "$(cat "$logs/$name.rc")" -eq 0 ]; then
    echo "$name: clean"
  else
    echo "$name: FAILED"
    cat "$logs/$name"
    status=1
  fi
done
exit "$status"
