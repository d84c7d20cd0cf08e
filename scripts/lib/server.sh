# Starts the built worker on `wrangler dev` with fresh local state (migrations + demo seed)
# on a free port, for tests and benchmarks. Sourced; exports PORCH_E2E_PORT, PORCH_E2E_TOKEN,
# PORCH_E2E_STATE (the persisted local state, which tests may read but not write) and stops
# the server when the calling script exits. The state is in "$SERVER_DIR/state";
# pause_server and launch_server stop and start the server on it again (the benchmark
# changes it in between: a second process must not write it while workerd has it open).
# PORCH_WRANGLER_CONFIG names the wrangler config to serve (default wrangler.toml, which
# serves build/); own_build makes one that serves a build of its own.

# Builds the release worker into DIR/build and writes DIR/wrangler.toml: wrangler.toml with
# `main` pointing there (D1 migrations still from schema/). A running scripts/dev, which
# serves build/, is not disturbed. Sets PORCH_WRANGLER_CONFIG.
# Each step returns on failure by itself: callers run this on the left of `||` (`quietly`),
# where bash ignores `set -e`, and a failed build must not leave an older one measured.
own_build() { # dir
  mkdir -p "$1" || return
  scripts/build --out-dir "$1/build" || return
  sed -e "s|^main = .*|main = \"$(cd "$1" && pwd)/build/worker/shim.mjs\"|" \
      -e "s|^migrations_dir = .*|migrations_dir = \"$PWD/schema\"|" wrangler.toml > "$1/wrangler.toml" || return
  PORCH_WRANGLER_CONFIG="$1/wrangler.toml"
}

start_server() {
  prepare_server
  launch_server
}

# Makes the fresh state (migrations and the demo seed) and the run's secrets, without serving.
prepare_server() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/porch-e2e.XXXXXX")
  PORCH_E2E_TOKEN=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  export PORCH_E2E_TOKEN
  # Seals SSO secrets for this run's state (kept across pause/launch, like the state).
  SSO_SEALING_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  SERVER_DIR=$dir
  export PORCH_E2E_STATE="$dir/state"
  trap stop_server EXIT
  npx --no-install wrangler d1 migrations apply DB --local --persist-to "$dir/state" \
    --config "${PORCH_WRANGLER_CONFIG:-wrangler.toml}" >/dev/null
  scripts/seed "$dir/state" >/dev/null
}

# Starts wrangler dev on "$SERVER_DIR/state" on a free port (a new one each time) and waits
# until /healthz answers.
launch_server() {
  spawn_server
  wait_for_server
}

# Starts wrangler dev on "$SERVER_DIR/state" on a free port and returns at once.
spawn_server() {
  local dir=$SERVER_DIR
  PORCH_E2E_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export PORCH_E2E_PORT
  # The token goes in as a var for this run only; .dev.vars is not read or written. The dev
  # mailbox and /__scheduled are on, as in scripts/dev, so tests can follow emailed links;
  # SSO_LOOPBACK_HTTP lets the SSO tests' identity provider listen on plain http loopback.
  # PORCH_API_RATE_LIMIT_FACTOR, when set (the bench), multiplies the admin API's bursts.
  setsid npx --no-install wrangler dev --config "${PORCH_WRANGLER_CONFIG:-wrangler.toml}" \
    --local --ip 127.0.0.1 --port "$PORCH_E2E_PORT" \
    --persist-to "$dir/state" --show-interactive-dev-session=false \
    --var "PLATFORM_ADMIN_TOKEN:$PORCH_E2E_TOKEN" --var DEV_MAILBOX:on --test-scheduled \
    --var "SSO_SEALING_KEY:$SSO_SEALING_KEY" --var SSO_LOOPBACK_HTTP:on \
    ${PORCH_API_RATE_LIMIT_FACTOR:+--var "API_RATE_LIMIT_FACTOR:$PORCH_API_RATE_LIMIT_FACTOR"} \
    --env-file /dev/null >> "$dir/wrangler.log" 2>&1 &
  SERVER_PID=$!
}

wait_for_server() {
  local dir=$SERVER_DIR
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORCH_E2E_PORT/healthz" >/dev/null 2>&1; then
      echo "wrangler dev ready on port $PORCH_E2E_PORT"
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "wrangler dev did not start:" >&2
  cat "$dir/wrangler.log" >&2
  return 1
}

# Stops the server and keeps its state.
pause_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

stop_server() {
  pause_server
  [ -n "${SERVER_DIR:-}" ] && rm -rf "$SERVER_DIR"
}
