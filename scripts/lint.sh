#!/usr/bin/env bash
# `npm run lint`: every static check (Prettier's check, ESLint with the layer boundaries, tsc, knip).
# ESLint, the longest, runs on one core while the other three run one after another on the other:
# on a 2-core machine four at once slowed ESLint, the one that sets the run's length, by two thirds.
# ESLint and Prettier keep a cache under node_modules/.cache, so a second run reads only changed
# files; a fresh clone (CI) has none and checks everything.
# Each writes its own log; the logs are then printed in order, in full for a check that failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run() {
  local name=$1
  shift
  "$@" >"$logs/$name" 2>&1
  echo $? >"$logs/$name.rc"
}
run eslint npm run -s lint:eslint &
(
  run prettier npm run -s lint:format
  run tsc npm run -s lint:types
  run knip npm run -s lint:unused
) &
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
