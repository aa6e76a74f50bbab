#!/usr/bin/env bash
# End-to-end test of the local stack (part of ./a6 test): start it detached from the built jars, check every URL it
# prints answers, run the README walkthrough, wait for the optimizer to move weight away from the degraded node,
# stop it, and check that no process is left behind.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0; failed=0
check() { # name, command...
  local name=$1; shift
  if "$@" >/tmp/a6-stack-check.out 2>&1; then echo "  ok   $name"; passed=$((passed + 1));
  else echo "  FAIL $name"; sed 's/^/       /' /tmp/a6-stack-check.out | head -20; failed=$((failed + 1)); fi
}
within() { # seconds, command...: retries the command every second
  local limit=$1; shift
  for _ in $(seq 1 "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  "$@"
}

# --fresh: the optimizer must move weight in this run, not carry over a previous run's decisions.
if ! ./a6 up --detach --no-build --fresh --degrade-after 10; then
  echo "stack-test: ./a6 up failed" >&2
  tail -n 30 .local-stack/logs/*.log >&2 || true
  ./a6 stop >/dev/null 2>&1
  echo "stack-test: 0 passed, 1 failed"; exit 1
fi
pids=$(cut -d' ' -f1 .local-stack/pids)

check "gateway answers"               curl -fsS --retry 3 --retry-delay 0 http://127.0.0.1:9080/orders/1
check "optimizer API answers"         curl -fsS http://127.0.0.1:8090/api/v1/upstreams
check "optimizer OpenAPI document"    curl -fsS http://127.0.0.1:8090/v3/api-docs
check "optimizer dashboard"           curl -fsS http://127.0.0.1:8090/
check "runner metrics"                curl -fsS http://127.0.0.1:9092/metrics
check "gateway metrics (APISIX fmt)"  curl -fsS http://127.0.0.1:9091/apisix/prometheus/metrics
check "health documents reach the optimizer" within 40 bash -c \
  'curl -fsS http://127.0.0.1:8090/api/v1/upstreams/upstreams/1 | grep -q "\"127.0.0.11:18081\":{\"requests\""'
check "README walkthrough"            ./scripts/readme-walkthrough.sh
check "MCP conformance suite"         ./scripts/mcp-conformance.sh conformance-upstream=http://127.0.0.1:18097/mcp \
  conformance-gateway=http://127.0.0.1:9080/mcp-conformance tools-route=http://127.0.0.1:9080/mcp
check "optimizer moves weight away from the degraded node" within 90 bash -c \
  'curl -fsS http://127.0.0.1:8090/api/v1/upstreams/upstreams/1 | python3 -c "import json,sys; w=json.load(sys.stdin)[\"weights\"]; sys.exit(0 if w[\"127.0.0.14:18084\"] < w[\"127.0.0.11:18081\"] else 1)"'

./a6 stop >/dev/null 2>&1
leftover=""
for pid in $pids; do kill -0 "$pid" 2>/dev/null && leftover="$leftover $pid"; done
check "stop leaves no process behind" test -z "$leftover"
check "stop frees the gateway port" bash -c '! (exec 3<>/dev/tcp/127.0.0.1/9080) 2>/dev/null'

echo "stack-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
