#!/usr/bin/env bash
# What `npm test` runs: system packages the tests need, the static checks, the build the e2e tests
# serve, the benchmark's quick form, then every vitest project. Ends with a
# `tests: N passed, N failed` line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The Debian packages the tests need and are missing, each with why; installed together below.
missing=()
why=()
need_debian_package() {
  missing+=("$1")
  why+=("$2")
}

if [ -n "${CHROMIUM_PATH:-}" ]; then
  # A browser of one's own choosing is not ours to install.
  if [ ! -x "$CHROMIUM_PATH" ]; then echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable." >&2; exit 1; fi
elif [ ! -x /usr/lib/chromium/chromium ]; then
  need_debian_package chromium "Chromium for the browser tests (/usr/lib/chromium/chromium)"
fi
if ! command -v pg_createcluster >/dev/null || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  need_debian_package postgresql "The PostgreSQL server for the store tests"
fi
if ! command -v sqlite3 >/dev/null; then
  need_debian_package sqlite3 "The sqlite3 shell for the store-dump test (it dumps the base's SQLite file as text)"
fi
if ! command -v ogrinfo >/dev/null; then
  need_debian_package gdal-bin "GDAL's ogrinfo for the export tests (it reads the exported CSV and GeoJSON)"
fi
if ! command -v exiftool >/dev/null; then
  need_debian_package libimage-exiftool-perl "exiftool for the photo tests (it looks for metadata left in a partner's photos)"
fi

# Installed when we may (root with apt-get, as on CI), in one go: one index update for them all.
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    for i in "${!missing[@]}"; do echo "Installing ${missing[$i]}: ${why[$i]}"; done
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}"
  else
    for i in "${!missing[@]}"; do echo "${why[$i]} is missing." >&2; done
    echo "Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# Every static check (format, ESLint with the layer boundaries, tsc, knip). A finding fails the run,
# but the tests still run so one broken file does not hide the rest.
lint=ok
npm run -s lint || lint=failed
if [ "$lint" = failed ]; then
  echo "Static checks FAILED (findings above); running the tests anyway, the run will fail." >&2
fi

npx vite build

status=0
# The benchmark's quick form: every figure on small sizes, so that the bench never rots. Its
# timings are not judged (this machine is shared); a figure it fails to measure fails the run.
echo "Benchmark, quick form (RASID_BENCH_QUICK=1 npm run bench):"
RASID_BENCH_QUICK=1 npm run -s bench || { echo "The benchmark's quick form FAILED (above)." >&2; status=1; }

npx vitest run || status=$?

if [ "$lint" = failed ] && [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
