#!/usr/bin/env bash
# Load test of the validation hot path: /api/authorize against a no-op endpoint of the same server (docs/performance.md).
#   scripts/load-test.sh [--keys 1000] [--duration 10] [--rounds 3] [--rate-limited [100/60]] [--redis-cluster]
#                        [--paced-rate N] [--admission-rate 10000] [--admission-seconds 20]
# 1. Saturation (closed loop, wrk): the no-op endpoint and /api/authorize alternate; the median round's ratio counts.
# 2. Latency (open loop, the benchmarks project's `rate` generator): requests start on a fixed schedule at half the
#    authorize saturation rate (or --paced-rate) and are timed from when they were due, so stalls are not hidden.
# With --rate-limited every key carries a limit of L per W seconds (default 100 per minute: too small for a lease, so
# every request is a limiter decision in Redis), and the script adds:
# 3. Over-admission: a second server instance shares storage and Redis; buckets are reset to full, then both instances
#    are driven open-loop above the limit (consecutive requests of a key alternate between them); per key, the VALID
#    (2xx) answers are compared with what the bucket allows between that key's first request and last answer.
# 4. The limiter alone (no HTTP): decisions/s at concurrency 32 with the same limit.
# --redis-cluster runs a local three-master Redis Cluster instead of one Redis node.
# Everything runs on free loopback ports with in-memory Azurite and its own Redis; the keys live in a 0600 temp file
# that is deleted at exit (throwaway keys of a throwaway store); per-key output names keys by line number only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

KEYS=1000; DURATION=10; ROUNDS=3; RATE_LIMIT=""; CLUSTER=0; PACED_RATE=""; ADMISSION_RATE=10000; ADMISSION_SECONDS=20
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) KEYS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --rate-limited) if [[ "${2:-}" =~ ^[0-9]+/[0-9]+$ ]]; then RATE_LIMIT=$2; shift 2; else RATE_LIMIT=100/60; shift; fi ;;
    --redis-cluster) CLUSTER=1; shift ;;
    --paced-rate) PACED_RATE=$2; shift 2 ;;
    --admission-rate) ADMISSION_RATE=$2; shift 2 ;;
    --admission-seconds) ADMISSION_SECONDS=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
LIMIT=${RATE_LIMIT%/*}; WINDOW=${RATE_LIMIT#*/}
command -v wrk >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || die "wrk is required (apt-get install wrk)"
ensure_dotnet; ensure_azurite; ensure_redis

start_scratch
# A cluster node also listens on its port + 10000 (the cluster bus), so both must be free and below 65536.
cluster_port() { python3 -c '
import random, socket
while True:
    port = random.randrange(20000, 55000)
    try:
        for p in (port, port + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", p)); s.close()
        print(port); break
    except OSError: pass
'; }
TABLE=$(free_port); QUEUE=$(free_port); BLOB=$(free_port); API=$(free_port); API2=$(free_port)
"$AZURITE_BIN" --inMemoryPersistence --silent --skipApiVersionCheck --blobPort $BLOB --queuePort $QUEUE --tablePort $TABLE >"$work/azurite.log" 2>&1 & pids+=($!)
wait_for_port 127.0.0.1 $TABLE 30 || die "Azurite did not start"

REDIS_PORTS=()
if [ $CLUSTER = 1 ]; then
  for _ in 1 2 3; do
    port=$(cluster_port); REDIS_PORTS+=("$port"); mkdir -p "$work/redis-$port"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis-$port" --cluster-enabled yes --cluster-config-file nodes.conf \
      --save "" --appendonly no >"$work/redis-$port.log" 2>&1 & pids+=($!)
  done
  for port in "${REDIS_PORTS[@]}"; do wait_for_port 127.0.0.1 "$port" 30 || die "Redis Cluster node $port did not start"; done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${REDIS_PORTS[@]}") --cluster-replicas 0 --cluster-yes >"$work/cluster.log" 2>&1 \
    || { cat "$work/cluster.log"; die "redis-cli --cluster create failed"; }
  for _ in $(seq 1 50); do redis-cli -p "${REDIS_PORTS[0]}" cluster info | grep -q "cluster_state:ok" && break; sleep 0.2; done
  REDIS_CONNECTION=$(printf '127.0.0.1:%s,' "${REDIS_PORTS[@]}"); REDIS_CONNECTION=${REDIS_CONNECTION%,}
else
  port=$(free_port); REDIS_PORTS+=("$port")
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 & pids+=($!)
  wait_for_port 127.0.0.1 "$port" 10 || die "Redis did not start"
  REDIS_CONNECTION="127.0.0.1:$port"
fi
# Lua script calls (the limiter's) summed over every primary.
script_calls() {
  for port in "${REDIS_PORTS[@]}"; do redis-cli -p "$port" info commandstats; done \
    | { grep -oE '^cmdstat_eval(sha)?:calls=[0-9]+' || true; } | awk -F= '{n += $2} END {print n + 0}'
}
# Rate-limit buckets back to full: delete them on every primary (single-key DELs, so slots never mix).
reset_buckets() {
  for port in "${REDIS_PORTS[@]}"; do
    redis-cli -p "$port" --scan --pattern 'hk:rl:*' | awk '{print "DEL " $0}' | redis-cli -p "$port" >/dev/null
  done
}

export Hokusai__Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE/devstoreaccount1;BlobEndpoint=http://127.0.0.1:$BLOB/devstoreaccount1;"
export Hokusai__Redis__ConnectionString="$REDIS_CONNECTION"
export Hokusai__Security__CachePepper="load-test-pepper-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Hokusai__Security__BcryptWorkFactor=4   # only cache misses pay bcrypt; the measured phase is warm
export Hokusai__Benchmark__NoOpEndpoint=true
# Usage events are produced and queued as in production; ingesting them is left out of this process (in Azure the
# Functions queue trigger does it on other instances), so the numbers are those of the request path.
export Hokusai__Usage__ConsumeInProcess=false
export Logging__LogLevel__Default=Warning   # GC settings come from src/HostRuntime.props (server GC, no DATAS)

start_measured_server

log "Creating $KEYS keys ..."
body='{"name":"load","scopes":["models:read"]}'
[ -n "$RATE_LIMIT" ] && body="{\"name\":\"load\",\"scopes\":[\"models:read\"],\"rateLimit\":{\"limit\":$LIMIT,\"windowSeconds\":$WINDOW}}"
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

warm() { while read -r k; do curl -s -o /dev/null -w '%{http_code}\n' "$1/api/authorize" -H "Authorization: Bearer $k"; done < "$work/keys.txt" | sort | uniq -c; }
log "Warming the cache (every key once) ..."
warm "$BASE"

# 1. Saturation, closed loop. Both endpoints get the same requests (same script, same Authorization headers): only the
# server's work differs. The machine is shared with the generator, so the endpoints alternate and the median pair counts.
wrk_run() { wrk -t1 -c32 -d"${DURATION}s" "$@" | tee -a "$work/wrk.log"; }
pairs=""; answers=""
for round in $(seq "$ROUNDS"); do
  log "Round $round: wrk on the no-op endpoint, then /api/authorize with $KEYS keys ($DURATION s each) ..."
  n=$(wrk_run -s "$work/keys.lua" "$BASE/bench/noop" | awk '/Requests\/sec/ {print $2}')
  before=$(script_calls)
  out=$(wrk_run -s "$work/keys.lua" "$BASE/api/authorize")
  calls=$(( $(script_calls) - before ))
  a=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  refused=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); refused=${refused:-0}
  pairs="$pairs $n:$a"
  answers="$answers $total:$refused:$calls"
done
read -r noop authorize ratio rounds <<<"$(python3 -c "
pairs=[tuple(float(x) for x in p.split(':')) for p in '$pairs'.split()]
ordered=sorted(pairs, key=lambda p: p[1]/p[0])
n,a=ordered[len(ordered)//2]
print(f'{n:.0f} {a:.0f} {a/n:.2f}', ' / '.join(f'{q/m:.2f}' for m,q in pairs))
")"
answer_mix=$(python3 -c "
rows=[tuple(int(x) for x in r.split(':')) for r in '$answers'.split()]
total=sum(r[0] for r in rows); refused=sum(r[1] for r in rows); calls=sum(r[2] for r in rows)
calls_text=f'; {calls} limiter script calls ({total/calls:.1f} requests per call)' if calls else '; no limiter script calls'
print(f'{total-refused} VALID (2xx), {refused} non-2xx of {total}{calls_text}')
")

# 2. Latency, open loop at half the authorize saturation rate: the no-op endpoint (the floor: Kestrel, the loopback and
# the generator on these cores) alternates with /api/authorize; the median run by p99 is reported.
PACED_RATE=${PACED_RATE:-$(python3 -c "print(int($authorize/2))")}
paced_authorize=(); paced_noop=()
for round in $(seq "$ROUNDS"); do
  log "Open-loop round $round at $PACED_RATE requests/s: no-op, then /api/authorize (10 s each) ..."
  paced_noop+=("$(dotnet "$BENCH" rate "$BASE/bench/noop" "$PACED_RATE" 10 "$work/keys.txt" || true)")
  paced_authorize+=("$(dotnet "$BENCH" rate "$BASE/api/authorize" "$PACED_RATE" 10 "$work/keys.txt" || true)")
done
printf '%s\n' "${paced_noop[@]}" "${paced_authorize[@]}" >> "$work/paced.log"
median_run() { python3 -c "
import re,sys
runs=[dict(re.findall(r'(\S+?)=(\S+)', line)) for line in sys.argv[1:]]
p99=lambda r: float(r['p99'][:-2])
runs.sort(key=p99)
r=runs[len(runs)//2]
print(f\"{r['achieved']}, p50 {r['p50']}, p99 {r['p99']} (median of {len(runs)}; p99s {' / '.join(x['p99'] for x in runs)}; generator behind ≤ {max(float(x['generator-behind-max'][:-2]) for x in runs):.0f} ms)\")
print(f\"                         answers of the median run: {r['answers']}\")
" "$@"; }
latency=$(median_run "${paced_authorize[@]}")
latency_noop=$(median_run "${paced_noop[@]}" | sed -n 1p)  # reads every line: head would close the pipe under python (EPIPE)

# 3 and 4: over-admission across two instances, and the limiter alone.
admission=""; limiter=""
if [ -n "$RATE_LIMIT" ]; then
  dotnet "$SERVER" --urls "http://127.0.0.1:$API2" >"$work/server2.log" 2>&1 & pids+=($!)
  wait_for_port 127.0.0.1 $API2 30 || die "second server did not start"
  log "Warming the second instance ..."
  warm "http://127.0.0.1:$API2"
  reset_buckets
  log "Over-admission: two instances, $ADMISSION_RATE requests/s for $ADMISSION_SECONDS s, limit $LIMIT per $WINDOW s ..."
  admission_run=$(dotnet "$BENCH" rate "$BASE/api/authorize,http://127.0.0.1:$API2/api/authorize" "$ADMISSION_RATE" "$ADMISSION_SECONDS" "$work/keys.txt" "$work/per-key.tsv" || true)
  admission=$(python3 -c "
import csv, math
L, W = $LIMIT, $WINDOW
over = []; admitted = []; bounds = []
for row in csv.DictReader(open('$work/per-key.tsv'), delimiter='\t'):
    # A full bucket admits L, then L/W per second: the most the key may get between its first request and last answer.
    bound = L + math.floor((float(row['last_answer_ms']) - float(row['first_sent_ms'])) / 1000 * L / W)
    a = int(row['admitted']); admitted.append(a); bounds.append(bound); over.append(max(0, a - bound))
k = len(over)
print(f'{sum(over)} admissions over the bound on {sum(1 for o in over if o)} of {k} keys: {100*sum(over)/(k*L):.2f} % of the limit on average, '
      f'worst key +{max(over)} ({100*max(over)/L:.0f} %); admitted per key {min(admitted)}–{max(admitted)} (mean {sum(admitted)/k:.1f}) against a bound of mean {sum(bounds)/k:.1f}')
")
  fallbacks=$(cat "$work/server.log" "$work/server2.log" | grep -c "Rate limiting without Redis" || true)
  log "The limiter alone: 3 × 5 s at concurrency 32, limit $LIMIT per $WINDOW s ..."
  limiter_runs=()
  for _ in 1 2 3; do limiter_runs+=("$(dotnet "$BENCH" limiter "$REDIS_CONNECTION" 32 5 "$LIMIT/$WINDOW")"); done
  limiter=$(python3 -c "
import re,sys,statistics
runs=[dict(re.findall(r'(\S+?)=(\S+)', line)) for line in sys.argv[1:]]
d=[float(r['decisions/s']) for r in runs]
print(f\"{statistics.median(d):.0f} decisions/s (runs {' / '.join(f'{x:.0f}' for x in d)}), decisions per script call {' / '.join(r['call'] for r in runs)}\")
" "${limiter_runs[@]}")
fi

dropped=$({ grep -oE "[0-9]+ usage events dropped|Sending [0-9]+ usage events failed \([A-Za-z]+\) after" "$work"/server*.log || true; } | { grep -oE "[0-9]+" || true; } | awk '{n += $1} END {print n + 0}')
redis_kind=$([ $CLUSTER = 1 ] && echo "3-master Redis Cluster" || echo "single Redis node")
cat <<RESULT

  Redis:                 $redis_kind; $([ -n "$RATE_LIMIT" ] && echo "rate limit $LIMIT per $WINDOW s on every key" || echo "no rate limits"); $KEYS keys, warm cache
  saturation (wrk -t1 -c32, closed loop, $ROUNDS alternating rounds of $DURATION s):
    no-op endpoint:      $noop requests/s (median round)
    /api/authorize:      $authorize requests/s
    ratio:               $ratio (rounds: $rounds)
    authorize answers:   $answer_mix
  open loop at $PACED_RATE/s (latency from the due time):
    /api/authorize       $latency
    no-op (floor)        $latency_noop
  usage events dropped:  $dropped (the producer kept up if 0)
RESULT
if [ -n "$RATE_LIMIT" ]; then cat <<RESULT
  over-admission (two instances, open loop $ADMISSION_RATE/s for $ADMISSION_SECONDS s, buckets reset to full):
    $admission_run
    $admission
    decisions made without Redis (breaker): $fallbacks log lines
  limiter alone:         $limiter
RESULT
fi
