#!/usr/bin/env bash
# Runs every test: installs Azurite and Redocly CLI (.tools/), redis-server and nginx-light (apt) when missing; the test
# fixtures start their own Azurite, Redis and nginx processes on free ports (never the dev ports) and stop them when the
# run ends.
# The unit tier (tests/Hokusai.Keys.Core.Tests: no Azurite, no Redis) runs first and prints its own summary line.
#   ./test.sh                    all tests
#   ./test.sh --fast             the unit tier only (no Azurite or Redis needed)
#   ./test.sh --filter <expr>    passed to dotnet test
set -euo pipefail
cd "$(dirname "$0")"
source scripts/tools.sh

fast=false
if [ "${1:-}" = "--fast" ]; then fast=true; shift; fi
unit_tier=tests/Hokusai.Keys.Core.Tests/Hokusai.Keys.Core.Tests.csproj

ensure_dotnet
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

results="$PWD/.test-data/results"
rm -rf "$results"; mkdir -p "$results/unit" "$results/integration"

# "N passed, N failed, N skipped" over the TRX files under the given directories.
summarize() {
  python3 - "$@" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for d in sys.argv[1:]:
  for f in glob.glob(d + "/**/*.trx", recursive=True):
    c = ET.parse(f).getroot().find(".//{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("total", 0)) - int(c.get("executed", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

run_unit_tier() {
  dotnet test "$unit_tier" -c Release --no-build --logger "trx" --results-directory "$results/unit" \
    --logger "console;verbosity=normal" "$@" 2>&1 | tee "$results/unit/console.log"
  return "${PIPESTATUS[0]}"
}

if $fast; then
  log "Building the unit tier ..."
  dotnet build "$unit_tier" -c Release -nologo -v quiet
  log "Running the unit tier ..."
  set +e; run_unit_tier "$@"; status=$?; set -e
  echo "Unit tier: $(summarize "$results/unit")"
  summarize "$results/unit"
  exit $status
fi

ensure_azurite
ensure_redocly
ensure_redis
ensure_nginx
export HOKUSAI_AZURITE_BIN="$AZURITE_BIN" HOKUSAI_REDOCLY_BIN="$REDOCLY_BIN"
# Test fixtures list the Azurite/Redis processes they start here; whatever is left is stopped at the end.
export HOKUSAI_TEST_PIDFILE="$results/pids"
# SIGCONT first: a stopped process (state T) would not act on the SIGTERM until continued.
stop_leftovers() { [ -f "$HOKUSAI_TEST_PIDFILE" ] && { xargs -r kill -CONT 2>/dev/null < "$HOKUSAI_TEST_PIDFILE"; xargs -r kill 2>/dev/null < "$HOKUSAI_TEST_PIDFILE"; } || true; }
trap stop_leftovers EXIT
log "Building ..."
dotnet build Functions.sln -c Release -nologo -v quiet
# The samples users copy (samples/): built with the same rules (warnings are errors), and run by SampleTests.
dotnet build samples/Samples.slnx -c Release -nologo -v quiet
log "Running the unit tier ..."
set +e
run_unit_tier "$@"; unit_status=$?
echo "Unit tier: $(summarize "$results/unit")"
log "Running the integration tier ..."
# The unit tier has run: HokusaiUnitTierDone makes it no test project for this invocation (see its csproj).
dotnet test Functions.sln -c Release --no-build -p:HokusaiUnitTierDone=true --logger "trx" --results-directory "$results/integration" \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$results/integration/console.log"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] && status=$unit_status

# One closing line over every test assembly ("N passed, N failed"), read from the TRX files.
summarize "$results/unit" "$results/integration"
exit $status
