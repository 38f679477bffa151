#!/usr/bin/env bash
# Runs every test: installs Azurite (.tools/) and redis-server (apt) when missing; the test fixtures start their own
# Azurite and Redis processes on free ports (never the dev ports) and stop them when the run ends.
#   ./test.sh                    all tests
#   ./test.sh --filter <expr>    passed to dotnet test
set -euo pipefail
cd "$(dirname "$0")"
source scripts/tools.sh

ensure_dotnet
ensure_azurite
ensure_redis
export HOKUSAI_AZURITE_BIN="$AZURITE_BIN" DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

results="$PWD/.test-data/results"
rm -rf "$results"; mkdir -p "$results"
# Test fixtures list the Azurite/Redis processes they start here; whatever is left is stopped at the end.
export HOKUSAI_TEST_PIDFILE="$results/pids"
# SIGCONT first: a stopped process (state T) would not act on the SIGTERM until continued.
stop_leftovers() { [ -f "$HOKUSAI_TEST_PIDFILE" ] && { xargs -r kill -CONT 2>/dev/null < "$HOKUSAI_TEST_PIDFILE"; xargs -r kill 2>/dev/null < "$HOKUSAI_TEST_PIDFILE"; } || true; }
trap stop_leftovers EXIT
log "Building ..."
dotnet build Functions.sln -c Release -nologo -v quiet
log "Running tests ..."
set +e
dotnet test Functions.sln -c Release --no-build --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
set -e

# One closing line over every test assembly ("N passed, N failed"), read from the TRX files.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(f).getroot().find(".//{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("total", 0)) - int(c.get("executed", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
