#!/usr/bin/env bash
# The local stack from real processes, for machines without a container engine (./a6 up).
#   ./a6 up [--detach] [--no-build] [--fresh] [--degrade-after SECONDS]
#   --fresh: start from empty etcd data and new demo secrets (removes .local-stack/etcd and .local-stack/secrets.env).
# Starts etcd (Debian etcd-server), seeds it, then the runner, the backend optimizer, the APISIX emulator as the
# gateway (a development fixture), the demo backends, the model-provider and MCP test servers, and demo traffic in
# which one backend node degrades. Ctrl-C (or ./a6 stop when detached) stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

detach=0; build=1; fresh=0; degrade_after=20
while [ $# -gt 0 ]; do
  case "$1" in
    --detach|-d) detach=1; shift;;
    --no-build) build=0; shift;;
    --fresh) fresh=1; shift;;
    --degrade-after) degrade_after=$2; shift 2;;
    *) echo "a6 up: unknown option $1 (expected: --detach, --no-build, --fresh, --degrade-after SECONDS)" >&2; exit 2;;
  esac
done

STATE="$PWD/.local-stack"
GATEWAY_PORT=9080; CONTROL_PORT=9090; PROM_PORT=9091; RUNNER_METRICS_PORT=9092; LANE_PORT=9093; OPTIMIZER_PORT=8090
ETCD_PORT=12379; ETCD_PEER_PORT=12380
ETCD_URL="http://127.0.0.1:$ETCD_PORT"

if [ -f "$STATE/pids" ] && [ -s "$STATE/pids" ]; then
  echo "a6 up: a local stack seems to be running (see $STATE/pids); run ./a6 stop first" >&2; exit 1
fi
for port in $GATEWAY_PORT $CONTROL_PORT $PROM_PORT $RUNNER_METRICS_PORT $LANE_PORT $OPTIMIZER_PORT $ETCD_PORT $ETCD_PEER_PORT 18090 18091 18095 18096 18097 18099; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "a6 up: port $port is already in use; stop what uses it first" >&2; exit 1
  fi
done
for i in 1 2 3 4; do
  if (exec 3<>/dev/tcp/127.0.0.1$i/1808$i) 2>/dev/null; then
    echo "a6 up: 127.0.0.1$i:1808$i is already in use; stop what uses it first" >&2; exit 1
  fi
done
if [ "$fresh" -eq 1 ]; then
  # No stack of this checkout runs (checked above: no pids, free ports), so its etcd data and secrets can go.
  rm -rf -- "$STATE/etcd" "$STATE/secrets.env"
  echo "a6 up: --fresh: starting from empty etcd data and new demo secrets" >&2
elif [ -d "$STATE/etcd" ]; then
  echo "a6 up: reusing the previous run's etcd data and optimizer decisions; --fresh starts clean" >&2
fi
mkdir -p "$STATE/logs"
: > "$STATE/pids"

step() { printf '\033[1m[%s] %s\033[0m\n' "$1" "$2" >&2; }
started() { echo "$1 $(a6_proc_start "$1") $2" >> "$STATE/pids"; }  # pid start-time name
wait_http() { # url name seconds
  local i
  for i in $(seq 1 $(( $3 * 4 ))); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  echo "a6 up: $2 did not answer at $1 within $3 s; see $STATE/logs" >&2
  ./scripts/stop.sh >/dev/null 2>&1 || true
  exit 1
}

if [ "$build" -eq 1 ]; then
  step 1/7 "building (first run downloads dependencies: a few minutes) ..."
  ./mvnw -B -q -ntp package -DskipTests \
    -pl runner/dist,backend-optimizer,etcd-seed,integration-tests/dev-stack,integration-tests/sample-sdk-filters -am
fi
RUNNER_JAR=runner/dist/target/a6-runner.jar
OPTIMIZER_JAR=$(ls backend-optimizer/target/a6-backend-optimizer-*.jar | grep -v original | head -1)
SEED_JAR=etcd-seed/target/a6-etcd-seed.jar
DEV_JAR=integration-tests/dev-stack/target/a6-dev-stack.jar

step 2/7 "etcd on $ETCD_URL"
a6_ensure_packages "./a6 up" "etcd:etcd-server:the stack stores APISIX's configuration in a real etcd"
setsid etcd --name a6-local --data-dir "$STATE/etcd" \
  --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "a6-local=http://127.0.0.1:$ETCD_PEER_PORT" >"$STATE/logs/etcd.log" 2>&1 &
started $! etcd
wait_http "$ETCD_URL/health" etcd 20

step 3/7 "seeding APISIX routes and upstreams (etcd-seed/data)"
set +e
java -jar "$SEED_JAR" --etcd "$ETCD_URL" --data etcd-seed/data | tee "$STATE/logs/seed.log" | sed 's/^/    /' >&2
seed_rc=${PIPESTATUS[0]}
set -e
case "$seed_rc" in
  0) ;;
  3) echo "    (objects changed since the last seed, e.g. by the optimizer's decisions in a previous run, were left as" \
          "they are; ./a6 up --fresh starts clean)" >&2;;
  *) echo "a6 up: seeding failed (exit $seed_rc)" >&2; ./scripts/stop.sh >/dev/null 2>&1; exit 1;;
esac

# Secrets for the demo only, made fresh for this stack and kept in .local-stack (git-ignored).
if [ ! -f "$STATE/secrets.env" ]; then
  {
    echo "A6_OPTIMIZER_API_KEY=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)"
    echo "A6_MCP_SESSION_KEY_1=$(head -c 32 /dev/urandom | base64)"
    echo "DEMO_PROVIDER_KEY=demo-key-for-the-provider-test-server"
  } > "$STATE/secrets.env"
  chmod 600 "$STATE/secrets.env"
fi
set -a; . "$STATE/secrets.env"; set +a

step 4/7 "demo backends, model-provider and MCP test servers, demo traffic (development fixtures)"
# The demo traffic and its degrade timer start once the gateway and the optimizer answer (the stack is up).
setsid java -jar "$DEV_JAR" --traffic "http://127.0.0.1:$GATEWAY_PORT" --degrade-after "$degrade_after" \
  --wait-for "http://127.0.0.1:$OPTIMIZER_PORT/actuator/health" \
  >"$STATE/logs/demo.log" 2>&1 &
started $! demo-servers

step 5/7 "plugin runner on unix:$STATE/runner.sock (with an official-SDK filter jar in A6_PLUGINS_DIR)"
mkdir -p "$STATE/plugins"
cp integration-tests/sample-sdk-filters/target/a6-sample-sdk-filters-*.jar "$STATE/plugins/"
APISIX_LISTEN_ADDRESS="unix:$STATE/runner.sock" APISIX_CONF_EXPIRE_TIME=3600 A6_PLUGINS_DIR="$STATE/plugins" \
A6_METRICS_ADDRESS="127.0.0.1:$RUNNER_METRICS_PORT" A6_LANE_ADDRESS="127.0.0.1:$LANE_PORT" \
A6_HEALTH_ETCD_ENDPOINTS="$ETCD_URL" A6_HEALTH_NODE_ID=local-apisix-1 A6_HEALTH_INTERVAL=5s \
A6_HEALTH_PROMETHEUS_URL="http://127.0.0.1:$PROM_PORT/apisix/prometheus/metrics" \
A6_HEALTH_CONTROL_URL="http://127.0.0.1:$CONTROL_PORT/v1/healthcheck" \
  setsid java -jar "$RUNNER_JAR" >"$STATE/logs/runner.log" 2>&1 &
started $! runner
for _ in $(seq 1 80); do [ -S "$STATE/runner.sock" ] && break; sleep 0.25; done
[ -S "$STATE/runner.sock" ] || { echo "a6 up: the runner did not start; see $STATE/logs/runner.log" >&2; ./scripts/stop.sh >/dev/null 2>&1; exit 1; }

step 6/7 "gateway (APISIX emulator, a development fixture) on http://127.0.0.1:$GATEWAY_PORT"
setsid java -cp "$DEV_JAR" org.a6suite.emulator.EmulatorMain --port "$GATEWAY_PORT" --runner-socket "$STATE/runner.sock" \
  --etcd "$ETCD_URL" --etcd-prefix /apisix --metrics-port "$PROM_PORT" --control-port "$CONTROL_PORT" >"$STATE/logs/gateway.log" 2>&1 &
started $! gateway
wait_http "http://127.0.0.1:$PROM_PORT/apisix/prometheus/metrics" gateway 30

step 7/7 "backend optimizer on http://127.0.0.1:$OPTIMIZER_PORT"
setsid java -jar "$OPTIMIZER_JAR" --server.port="$OPTIMIZER_PORT" --a6.optimizer.etcd.endpoints="$ETCD_URL" \
  --a6.optimizer.api.api-key="$A6_OPTIMIZER_API_KEY" --a6.optimizer.default-policy.mode=auto \
  --a6.optimizer.leader.enabled=false >"$STATE/logs/optimizer.log" 2>&1 &
started $! optimizer
wait_http "http://127.0.0.1:$OPTIMIZER_PORT/actuator/health" optimizer 90

degrade_at=$(date -d "+$degrade_after seconds" +%H:%M:%S 2>/dev/null || echo "in $degrade_after s")
cat >&2 <<EOT

a6-suite local stack is up (logs in .local-stack/logs):
  gateway (APISIX emulator)   http://127.0.0.1:$GATEWAY_PORT
  optimizer API               http://127.0.0.1:$OPTIMIZER_PORT/api/v1/upstreams   (OpenAPI: /v3/api-docs)
  optimizer dashboard         http://127.0.0.1:$OPTIMIZER_PORT/
  runner metrics              http://127.0.0.1:$RUNNER_METRICS_PORT/metrics
  runner HTTP lane            http://127.0.0.1:$LANE_PORT   (routes' upstream for streaming; 403 without a handoff)
  gateway metrics (APISIX fmt) http://127.0.0.1:$PROM_PORT/apisix/prometheus/metrics
  gateway Control API         http://127.0.0.1:$CONTROL_PORT/v1/healthcheck
  etcd                        $ETCD_URL
  optimizer API key           in .local-stack/secrets.env (A6_OPTIMIZER_API_KEY)
  demo admin (loopback)       curl -X POST 'http://127.0.0.1:18099/fail?node=all&mode=503&seconds=20'

Try the curl lines in README.md ("Try it"). Demo traffic starts now; node 127.0.0.14:18084 degrades in
${degrade_after} s (at about $degrade_at): watch the optimizer move weight away from it on the dashboard.
EOT

if [ "$detach" -eq 1 ]; then
  echo "detached: ./a6 stop stops everything" >&2
  exit 0
fi
trap './scripts/stop.sh; exit 0' INT TERM
echo "press Ctrl-C to stop" >&2
tail -n 0 -F "$STATE/logs/demo.log" "$STATE/logs/optimizer.log" 2>/dev/null | grep --line-buffered -E "demo traffic|demo:|decision|applied" &
wait
