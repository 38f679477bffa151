#!/usr/bin/env bash
# Runs Hokusai Keys locally: Azurite (data in .data/), Redis, and the API on http://localhost:7071/api
# (same port and prefix as `func start`). Bootstraps an admin key on first start. Ctrl-C stops everything.
#   ./run.sh                 start (idempotent: reuses what is already running on the dev ports)
#   ./run.sh --new-admin-key also create another admin key although one exists
#   ./run.sh --redis-cluster a local three-master Redis Cluster (ports 7001-7003) instead of one Redis, to see the app
#                            on a clustered Redis (as Azure Managed Redis with OSS clustering)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/tools.sh

FORCE_ADMIN=""
REDIS_CLUSTER=""
for arg in "$@"; do
  case "$arg" in
    --new-admin-key) FORCE_ADMIN="--force" ;;
    --redis-cluster) REDIS_CLUSTER=1 ;;
    *) die "unknown option $arg" ;;
  esac
done

API_PORT=7071; TABLE_PORT=10002; QUEUE_PORT=10001; BLOB_PORT=10000; REDIS_PORT=6379
DATA_DIR="$PWD/.data"
mkdir -p "$DATA_DIR/azurite" "$DATA_DIR/redis"

ensure_dotnet
ensure_azurite
ensure_redis

children=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#children[@]} -gt 0 ]; then
    log "Stopping ..."
    kill "${children[@]}" 2>/dev/null || true
    wait "${children[@]}" 2>/dev/null || true
  fi
}
trap cleanup INT TERM EXIT

if port_in_use $TABLE_PORT; then
  log "Something already listens on $TABLE_PORT; using it as Azurite."
else
  log "Starting Azurite (data in .data/azurite) ..."
  "$AZURITE_BIN" --silent --skipApiVersionCheck --location "$DATA_DIR/azurite" \
    --blobPort $BLOB_PORT --queuePort $QUEUE_PORT --tablePort $TABLE_PORT >"$DATA_DIR/azurite.log" 2>&1 &
  children+=($!)
  wait_for_port 127.0.0.1 $TABLE_PORT 30 || die "Azurite did not start (see .data/azurite.log)"
fi

REDIS_CLUSTER_PORTS=(7001 7002 7003)
if [ -n "$REDIS_CLUSTER" ]; then
  if port_in_use "${REDIS_CLUSTER_PORTS[0]}"; then
    log "Something already listens on ${REDIS_CLUSTER_PORTS[0]}; using it as the Redis Cluster."
  else
    log "Starting a three-master Redis Cluster on ${REDIS_CLUSTER_PORTS[*]} ..."
    for port in "${REDIS_CLUSTER_PORTS[@]}"; do
      # No data is kept (--save ''), so the cluster is formed afresh each time.
      rm -rf "$DATA_DIR/redis-cluster/$port"; mkdir -p "$DATA_DIR/redis-cluster/$port"
      redis-server --port "$port" --bind 127.0.0.1 --dir "$DATA_DIR/redis-cluster/$port" --cluster-enabled yes \
        --cluster-config-file nodes.conf --save "" --appendonly no >"$DATA_DIR/redis-cluster-$port.log" 2>&1 &
      children+=($!)
    done
    for port in "${REDIS_CLUSTER_PORTS[@]}"; do
      wait_for_port 127.0.0.1 "$port" 10 || die "Redis Cluster node $port did not start (see .data/redis-cluster-$port.log)"
    done
    redis-cli --cluster create $(printf '127.0.0.1:%s ' "${REDIS_CLUSTER_PORTS[@]}") --cluster-replicas 0 --cluster-yes \
      >"$DATA_DIR/redis-cluster-create.log" 2>&1 || die "redis-cli --cluster create failed (see .data/redis-cluster-create.log)"
    for _ in $(seq 1 50); do
      redis-cli -p "${REDIS_CLUSTER_PORTS[0]}" cluster info 2>/dev/null | grep -q "cluster_state:ok" && break
      sleep 0.2
    done
  fi
  REDIS_CONNECTION=$(printf '127.0.0.1:%s,' "${REDIS_CLUSTER_PORTS[@]}"); REDIS_CONNECTION=${REDIS_CONNECTION%,}
elif port_in_use $REDIS_PORT; then
  log "Something already listens on $REDIS_PORT; using it as Redis."
  REDIS_CONNECTION="127.0.0.1:$REDIS_PORT"
else
  log "Starting Redis on $REDIS_PORT ..."
  redis-server --port $REDIS_PORT --bind 127.0.0.1 --dir "$DATA_DIR/redis" --save "" --appendonly no >"$DATA_DIR/redis.log" 2>&1 &
  children+=($!)
  wait_for_port 127.0.0.1 $REDIS_PORT 10 || die "Redis did not start (see .data/redis.log)"
  REDIS_CONNECTION="127.0.0.1:$REDIS_PORT"
fi

# The cache pepper is a server secret: generated once for this machine, kept in .data/ (ignored by git).
[ -s "$DATA_DIR/cache-pepper" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n' > "$DATA_DIR/cache-pepper")
export Hokusai__Storage__ConnectionString="UseDevelopmentStorage=true"
export Hokusai__Redis__ConnectionString="$REDIS_CONNECTION"
export Hokusai__Security__CachePepper="$(cat "$DATA_DIR/cache-pepper")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

log "Building the server ..."
dotnet build src/Hokusai.Keys.Server -c Release -v quiet -nologo >"$DATA_DIR/build.log" 2>&1 || { cat "$DATA_DIR/build.log" >&2; die "Build failed"; }
SERVER_DLL=src/Hokusai.Keys.Server/bin/Release/net10.0/Hokusai.Keys.Server.dll

set +e
bootstrap_out=$(dotnet "$SERVER_DLL" bootstrap-admin --name "Admin Key" $FORCE_ADMIN --json)
status=$?
set -e
if [ $status -eq 0 ]; then
  ADMIN_KEY=$(printf '%s' "$bootstrap_out" | sed -E 's/.*"key":"([^"]+)".*/\1/')
  ADMIN_ID=$(printf '%s' "$bootstrap_out" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  cat <<MSG

  Admin key created (id $ADMIN_ID). It is shown only this once; it is not stored anywhere in plain text:

      $ADMIN_KEY

  Try it:
      curl -s http://localhost:$API_PORT/api/keys -H "Authorization: Bearer $ADMIN_KEY"
      curl -s -X POST http://localhost:$API_PORT/api/keys -H "Authorization: Bearer $ADMIN_KEY" \\
           -H "Content-Type: application/json" -d '{"name":"CI deploy key","owner":"user-42","scopes":["models:read"]}'

MSG
elif [ $status -eq 3 ]; then
  log "An admin key already exists (created at first start). Lost it? Run ./run.sh --new-admin-key"
else
  die "Creating the admin key failed (exit $status)"
fi

log "API on http://localhost:$API_PORT/api  (health: curl http://localhost:$API_PORT/api/health) — Ctrl-C to stop"
dotnet "$SERVER_DLL" --urls "http://localhost:$API_PORT" &
children+=($!)
wait "${children[@]}"
