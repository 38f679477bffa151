# Shared by run.sh and test.sh: installs what is missing on a fresh Debian machine with the .NET SDK and Node.
# Azurite and Redocly CLI (the OpenAPI linter) are pinned in .tools/ (npm); redis-server (and, for test.sh, nginx-light)
# come from apt when we are root.

AZURITE_VERSION=3.35.0
REDOCLY_VERSION=2.77.0
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$REPO_ROOT/.tools"
AZURITE_BIN="$TOOLS_DIR/node_modules/.bin/azurite"
REDOCLY_BIN="$TOOLS_DIR/node_modules/.bin/redocly"

log() { printf '\033[1;34m[hokusai]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[hokusai]\033[0m %s\n' "$*" >&2; exit 1; }

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "The .NET SDK (10.0) is required: https://dot.net"
}

ensure_azurite() {
  if [ -x "$AZURITE_BIN" ] && [ "$(cat "$TOOLS_DIR/.azurite-version" 2>/dev/null)" = "$AZURITE_VERSION" ]; then return; fi
  command -v npm >/dev/null 2>&1 || die "Node.js and npm are required to install Azurite."
  log "Installing Azurite $AZURITE_VERSION into .tools/ ..."
  mkdir -p "$TOOLS_DIR"
  [ -f "$TOOLS_DIR/package.json" ] || echo '{ "private": true }' > "$TOOLS_DIR/package.json"
  (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >&2) || die "npm install azurite failed"
  echo "$AZURITE_VERSION" > "$TOOLS_DIR/.azurite-version"
}

# The linter of docs/openapi.json (OpenApiLintTests; docs/api.md says how to run it by hand).
ensure_redocly() {
  if [ -x "$REDOCLY_BIN" ] && [ "$(cat "$TOOLS_DIR/.redocly-version" 2>/dev/null)" = "$REDOCLY_VERSION" ]; then return; fi
  command -v npm >/dev/null 2>&1 || die "Node.js and npm are required to install Redocly CLI."
  log "Installing Redocly CLI $REDOCLY_VERSION into .tools/ ..."
  mkdir -p "$TOOLS_DIR"
  [ -f "$TOOLS_DIR/package.json" ] || echo '{ "private": true }' > "$TOOLS_DIR/package.json"
  (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --loglevel=error "@redocly/cli@$REDOCLY_VERSION" >&2) || die "npm install @redocly/cli failed"
  echo "$REDOCLY_VERSION" > "$TOOLS_DIR/.redocly-version"
}

ensure_redis() {
  if command -v redis-server >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "Installing redis-server with apt ..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) || die "apt-get install redis-server failed"
    # The package starts a system service on 6379; we run our own instances.
    (service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
  else
    die "redis-server is missing: install it (sudo apt-get install redis-server) and run again."
  fi
}

# nginx for the gateway recipe test (docs/gateways.md): the test runs its own nginx, on a free port, from a scratch folder.
ensure_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "Installing nginx-light with apt ..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) || die "apt-get install nginx-light failed"
    # The package may start a system service on port 80; the test runs its own instance.
    (service nginx stop || systemctl stop nginx) >/dev/null 2>&1 || true
  else
    die "nginx is missing: install it (sudo apt-get install nginx-light) and run again."
  fi
}

# wait_for_port HOST PORT SECONDS
wait_for_port() {
  local host=$1 port=$2 deadline=$((SECONDS + $3))
  while ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# For the load scripts: a private scratch folder ($work) and the processes to stop ($pids), both cleaned up at exit.
start_scratch() {
  work=$(mktemp -d); chmod 700 "$work"
  pids=()
  trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
}

# For the load scripts: builds the server and the benchmark tool (Release), bootstraps an admin key and starts the
# server on $API with the environment the script exported. Sets SERVER, BENCH, ADMIN and BASE.
start_measured_server() {
  log "Building (Release) ..."
  dotnet build src/Hokusai.Keys.Server -c Release -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; die "build failed"; }
  dotnet build tests/Hokusai.Keys.Benchmarks -c Release -v quiet -nologo >>"$work/build.log" 2>&1 || { cat "$work/build.log"; die "build failed"; }
  SERVER=src/Hokusai.Keys.Server/bin/Release/net10.0/Hokusai.Keys.Server.dll
  BENCH=tests/Hokusai.Keys.Benchmarks/bin/Release/net10.0/Hokusai.Keys.Benchmarks.dll
  ADMIN=$(dotnet "$SERVER" bootstrap-admin --json | sed -E 's/.*"key":"([^"]+)".*/\1/')
  dotnet "$SERVER" --urls "http://127.0.0.1:$API" >"$work/server.log" 2>&1 & pids+=($!)
  wait_for_port 127.0.0.1 $API 30 || die "server did not start"
  BASE="http://127.0.0.1:$API"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
