#!/usr/bin/env bash
# Load test of the validation hot path (issue 3/4 benchmarks): /api/authorize against a no-op endpoint of the same
# server, in one run, with wrk; then the p99 latency at half the authorize saturation rate (open-loop generator).
#   scripts/load-test.sh [--keys 1000] [--duration 15] [--rate-limited]
# With --rate-limited every key carries a rate limit that is never reached (the limiter runs on every request).
# Everything runs on free ports with in-memory Azurite and its own Redis; the keys live in a 0600 temp file that is
# deleted at exit (throwaway keys of a throwaway store).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

KEYS=1000; DURATION=15; RATE_LIMITED=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) KEYS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rate-limited) RATE_LIMITED=1; shift ;;
    *) die "unknown option $1" ;;
  esac
done
command -v wrk >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || die "wrk is required (apt-get install wrk)"
ensure_dotnet; ensure_azurite; ensure_redis

work=$(mktemp -d); chmod 700 "$work"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
TABLE=$(free_port); QUEUE=$(free_port); BLOB=$(free_port); REDIS=$(free_port); API=$(free_port)
"$AZURITE_BIN" --inMemoryPersistence --silent --skipApiVersionCheck --blobPort $BLOB --queuePort $QUEUE --tablePort $TABLE >"$work/azurite.log" 2>&1 & pids+=($!)
redis-server --port $REDIS --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 & pids+=($!)
wait_for_port 127.0.0.1 $TABLE 30 && wait_for_port 127.0.0.1 $REDIS 10 || die "Azurite/Redis did not start"

export Hokusai__Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE/devstoreaccount1;BlobEndpoint=http://127.0.0.1:$BLOB/devstoreaccount1;"
export Hokusai__Redis__ConnectionString="127.0.0.1:$REDIS"
export Hokusai__Security__CachePepper="load-test-pepper-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Hokusai__Security__BcryptWorkFactor=4   # only cache misses pay bcrypt; the measured phase is warm
export Hokusai__Benchmark__NoOpEndpoint=true
# Usage events are produced and queued as in production; ingesting them is left out of this process (in Azure the
# Functions queue trigger does it on other instances), so the numbers are those of the request path.
export Hokusai__Usage__ConsumeInProcess=false
export Logging__LogLevel__Default=Warning   # GC settings come from src/HostRuntime.props (server GC, no DATAS)

log "Building (Release) ..."
dotnet build src/Hokusai.Keys.Server -c Release -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; die "build failed"; }
dotnet build tests/Hokusai.Keys.Benchmarks -c Release -v quiet -nologo >>"$work/build.log" 2>&1 || { cat "$work/build.log"; die "build failed"; }
SERVER=src/Hokusai.Keys.Server/bin/Release/net10.0/Hokusai.Keys.Server.dll
ADMIN=$(dotnet "$SERVER" bootstrap-admin --json | sed -E 's/.*"key":"([^"]+)".*/\1/')
dotnet "$SERVER" --urls "http://127.0.0.1:$API" >"$work/server.log" 2>&1 & pids+=($!)
wait_for_port 127.0.0.1 $API 30 || die "server did not start"
BASE="http://127.0.0.1:$API"

log "Creating $KEYS keys ..."
body='{"name":"load","scopes":["models:read"]}'
[ $RATE_LIMITED = 1 ] && body='{"name":"load","scopes":["models:read"],"rateLimit":{"limit":1000000000,"windowSeconds":1}}'
seq "$KEYS" | xargs -P 8 -I{} curl -s -X POST "$BASE/api/keys" -H "Authorization: Bearer $ADMIN" -H "Content-Type: application/json" -d "$body" \
  | grep -oE '"key":"hk_[a-z]+_[A-Za-z0-9]+"' | sed -E 's/"key":"(.*)"/\1/' > "$work/keys.txt"
[ "$(wc -l < "$work/keys.txt")" -eq "$KEYS" ] || die "created $(wc -l < "$work/keys.txt") keys, wanted $KEYS"

cat > "$work/keys.lua" <<LUA
local keys = {}
for line in io.lines("$work/keys.txt") do keys[#keys + 1] = line end
local i = 0
request = function()
  i = i % #keys + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. keys[i] })
end
LUA

log "Warming the cache (every key once) ..."
while read -r k; do curl -s -o /dev/null -w '%{http_code}\n' "$BASE/api/authorize" -H "Authorization: Bearer $k"; done < "$work/keys.txt" | sort | uniq -c

run_wrk() { wrk -t1 -c32 -d"${DURATION}s" --latency "$@" | tee -a "$work/wrk.log" | awk '/Requests\/sec/ {print $2}'; }
# Both runs send the same requests (same script, same Authorization headers): only the server's work differs.
# The machine is shared with the generator, so the two endpoints alternate three times and the median pair counts.
pairs=""
for round in 1 2 3; do
  log "Round $round: wrk on the no-op endpoint, then /api/authorize with $KEYS keys ($DURATION s each) ..."
  n=$(run_wrk -s "$work/keys.lua" "$BASE/bench/noop")
  a=$(run_wrk -s "$work/keys.lua" "$BASE/api/authorize")
  pairs="$pairs $n:$a"
done
non2xx=$(grep -c "Non-2xx" "$work/wrk.log" || true)
read -r noop authorize ratio rounds <<<"$(python3 -c "
pairs=[tuple(float(x) for x in p.split(':')) for p in '$pairs'.split()]
pairs.sort(key=lambda p: p[1]/p[0])
n,a=pairs[len(pairs)//2]
print(f'{n:.0f} {a:.0f} {a/n:.2f}', ' '.join(f'{q/m:.2f}' for m,q in pairs))
")"
half=$(python3 -c "print(int($authorize/2))")
# Half the saturation rate, open-loop style: each connection waits 2 ms between requests, so the rate follows the number
# of connections. A 5 s calibration run measures the rate per connection; the measured runs use enough connections for
# half the authorize saturation rate. Two wrk threads: with one, wrk's own event loop (a Lua call per request, ~90
# connections) queues responses before it timestamps them, and that queueing showed up as server latency (p99 2.2 ms
# with one thread against 1.9–2.0 ms with two, at a higher rate). The .NET open-loop generator in the benchmarks
# project (`rate`) is the alternative where a second machine is at hand.
sed 's/^request = function/delay = function() return 2 end\nrequest = function/' "$work/keys.lua" > "$work/keys-paced.lua"
probe=$(( half * 24 / 10000 ))
achieved=$(wrk -t2 -c"$probe" -d5s -s "$work/keys-paced.lua" "$BASE/api/authorize" | awk '/Requests\/sec/ {print $2}')
conns=$(python3 -c "print(max(1, round($probe * $half / $achieved)))")
log "Paced runs at ~half the authorize saturation rate ($half/s: $conns connections, 2 ms apart), alternating with the no-op endpoint at the same pacing, 3 × 10 s each ..."
paced_authorize=""; paced_noop=""
paced_run() { wrk -t2 -c"$conns" -d10s --latency -s "$work/keys-paced.lua" "$1" | awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {print r "," p50 "," p99}'; }
for round in 1 2 3; do
  paced_noop="$paced_noop $(paced_run "$BASE/bench/noop")"
  paced_authorize="$paced_authorize $(paced_run "$BASE/api/authorize")"
done
# The median run by p99 (wrk prints units: us, ms or s).
median_run() { python3 -c "
def ms(v): return float(v[:-2]) / 1000 if v.endswith('us') else float(v[:-2]) if v.endswith('ms') else float(v[:-1]) * 1000
runs=[r.split(',') for r in '$1'.split()]
runs.sort(key=lambda r: ms(r[2]))
r=runs[1]
print(f'{float(r[0]):.0f} requests/s, p50 {r[1]}, p99 {r[2]} (median of three runs; p99s', ' / '.join(x[2] for x in runs) + ')')
"; }
latency=$(median_run "$paced_authorize")
# The usage producer must keep up. A full buffer logs "Usage buffer full: N usage events dropped", a failed send "Sending N usage events failed (…) after …".
dropped=$({ grep -oE "[0-9]+ usage events dropped|Sending [0-9]+ usage events failed \([A-Za-z]+\) after" "$work/server.log" || true; } | { grep -oE "[0-9]+" || true; } | awk '{n += $1} END {print n + 0}')
latency_noop=$(median_run "$paced_noop")

cat <<RESULT

  no-op endpoint:        $noop requests/s  (median round)
  /api/authorize:        $authorize requests/s  ($([ $RATE_LIMITED = 1 ] && echo "rate limit on every key" || echo "no rate limits"), $KEYS keys, warm cache)
  ratio:                 $ratio  (median of three alternating rounds: $rounds; target ≥ $([ $RATE_LIMITED = 1 ] && echo 0.6 || echo 0.8))
  wrk runs with non-2xx: $non2xx
  usage events dropped:  $dropped  (the producer kept up if 0)
  paced at ~$half/s:     /api/authorize $latency; target p99 ≤ 2 ms
                         no-op (floor)  $latency_noop
RESULT
