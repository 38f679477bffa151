#!/usr/bin/env bash
# Flood benchmark (issue 15, docs/performance.md "Cached authorize during a wrong-secret flood"): p99 of cached
# /api/authorize at a steady paced rate, without and with a concurrent flood of forged keys (real key ids, random
# secrets) that makes the server run bcrypt at the production work factor.
#   scripts/flood-test.sh [--keys 100] [--flood-keys 100] [--duration 10] [--rounds 3]
# The failure throttle is lifted for the run (FailuresPerIpPerMinute very high): the flood stands for a distributed
# attacker with many addresses, so only the bcrypt bounds (dedicated threads, queue, per-key-id budget) protect the
# cached path. Loopback only; everything runs on free ports with in-memory Azurite and its own Redis; keys live in a
# 0600 temp directory deleted at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

KEYS=100; FLOOD_KEYS=100; DURATION=10; ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) KEYS=$2; shift 2 ;;
    --flood-keys) FLOOD_KEYS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
command -v wrk >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || die "wrk is required (apt-get install wrk)"
ensure_dotnet; ensure_azurite; ensure_redis

start_scratch
TABLE=$(free_port); QUEUE=$(free_port); BLOB=$(free_port); REDIS=$(free_port); API=$(free_port)
"$AZURITE_BIN" --inMemoryPersistence --silent --skipApiVersionCheck --blobPort $BLOB --queuePort $QUEUE --tablePort $TABLE >"$work/azurite.log" 2>&1 & pids+=($!)
redis-server --port $REDIS --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 & pids+=($!)
wait_for_port 127.0.0.1 $TABLE 30 && wait_for_port 127.0.0.1 $REDIS 10 || die "Azurite/Redis did not start"

export Hokusai__Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$TABLE/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE/devstoreaccount1;BlobEndpoint=http://127.0.0.1:$BLOB/devstoreaccount1;"
export Hokusai__Redis__ConnectionString="127.0.0.1:$REDIS"
export Hokusai__Security__CachePepper="flood-test-pepper-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export Hokusai__Security__BcryptWorkFactor=11   # the production cost: the flood's bcrypt work is what is measured
export Hokusai__RateLimiting__FailuresPerIpPerMinute=100000000
export Hokusai__Usage__ConsumeInProcess=false
export Logging__LogLevel__Default=Warning

start_measured_server

create_keys() { # count file
  seq "$1" | xargs -P 4 -I{} curl -s -X POST "$BASE/api/keys" -H "Authorization: Bearer $ADMIN" -H "Content-Type: application/json" -d '{"name":"flood"}' \
    | grep -oE '"key":"hk_[a-z]+_[A-Za-z0-9]+"' | sed -E 's/"key":"(.*)"/\1/' > "$2"
  [ "$(wc -l < "$2")" -eq "$1" ] || die "created $(wc -l < "$2") keys, wanted $1"
}
log "Creating $KEYS keys to authorize and $FLOOD_KEYS keys to attack (bcrypt cost 11) ..."
create_keys "$KEYS" "$work/keys.txt"
create_keys "$FLOOD_KEYS" "$work/targets.txt"
dotnet "$BENCH" forge "$work/targets.txt" 50 "$work/forged.txt" >/dev/null
rm "$work/targets.txt" # the attacked keys are never used: uncached, as in the attack

log "Warming the cache (every key to authorize once) ..."
while read -r k; do curl -s -o /dev/null -w '%{http_code}\n' "$BASE/api/authorize" -H "Authorization: Bearer $k"; done < "$work/keys.txt" | sort | uniq -c

# Paced: each connection waits 2 ms between requests, so the rate is steady and the same in both conditions.
keys_script() { # file delay-ms
  cat <<LUA
local keys = {}
for line in io.lines("$1") do keys[#keys + 1] = line end
local i = math.random(#keys)
delay = function() return $2 end
request = function()
  i = i % #keys + 1
  return wrk.format("GET", "/api/authorize", { ["Authorization"] = "Bearer " .. keys[i] })
end
LUA
}
keys_script "$work/keys.txt" 2 > "$work/authorize.lua"
# The flood: 8 connections (as in the report of issue 15), each forged key once in a while, 5 ms apart: far more
# requests than bcrypt can serve, few enough that the HTTP work of the flood itself is not what is measured.
keys_script "$work/forged.txt" 5 > "$work/flood.lua"
cat >> "$work/flood.lua" <<'LUA'
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() counts = {} end
response = function(status) counts[status] = (counts[status] or 0) + 1 end
done = function()
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do parts[#parts + 1] = status .. ":" .. n end
  table.sort(parts)
  io.write("flood statuses ", table.concat(parts, " "), "\n")
end
LUA

measure() { wrk -t1 -c16 -d"${DURATION}s" --latency -s "$work/authorize.lua" "$BASE" | awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$NF} END {print r "," p50 "," p99 "," (bad == "" ? 0 : bad)}'; }
quiet=""; flooded=""; floods=""
for round in $(seq "$ROUNDS"); do
  log "Round $round: cached authorize alone, then during the flood ($DURATION s each) ..."
  quiet="$quiet $(measure)"
  wrk -t1 -c8 -d"$((DURATION + 2))s" -s "$work/flood.lua" "$BASE" > "$work/flood-$round.log" 2>&1 & flood=$!
  sleep 1
  flooded="$flooded $(measure)"
  wait $flood || true
  floods="$floods|$(awk '/Requests\/sec/ {r=$2} /flood statuses/ {s=$0} END {print r " req/s, " s}' "$work/flood-$round.log")"
done

summary() { python3 -c "
def ms(v): return float(v[:-2]) / 1000 if v.endswith('us') else float(v[:-2]) if v.endswith('ms') else float(v[:-1]) * 1000
runs=[r.split(',') for r in '$1'.split()]
print(' / '.join(f'{float(r[0]):.0f}/s p50 {r[1]} p99 {r[2]}' + (f' non-2xx {r[3]}' if r[3] != '0' else '') for r in runs))
runs.sort(key=lambda r: ms(r[2]))
print(f'{ms(runs[len(runs)//2][2]):.2f}')
"; }
quiet_summary=$(summary "$quiet"); flooded_summary=$(summary "$flooded")
quiet_p99=$(tail -1 <<<"$quiet_summary"); flooded_p99=$(tail -1 <<<"$flooded_summary")
cat <<RESULT

  cached authorize alone:        $(head -1 <<<"$quiet_summary")
  cached authorize during flood: $(head -1 <<<"$flooded_summary")
  flood (8 connections):         $(tr '|' '\n' <<<"$floods" | sed '/^$/d' | paste -sd ';' -)
  median p99: alone $quiet_p99 ms, during the flood $flooded_p99 ms, ratio $(python3 -c "print(f'{$flooded_p99/$quiet_p99:.2f}')") (target ≤ 2)
RESULT
