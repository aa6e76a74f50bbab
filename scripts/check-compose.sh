#!/usr/bin/env bash
# Static checks of docker-compose.yml (no container engine runs on CI machines):
#  1. `docker-compose config` accepts it (required secrets get placeholder values for the check only);
#  2. every ./path it names exists in the repository;
#  3. every A6_* / APISIX_* variable it sets is read somewhere in the repository (code, config or scripts);
#  4. every published container port is one the repository's configuration actually listens on;
#  5. the prometheus and grafana services: mounted files exist and parse, scrape targets and the data source name
#     compose services on ports they serve, provisioning finds the dashboards, images are pinned
#     (scripts/check-observability.py, which also lists the other services' ports for check 4);
#  6. Prometheus's promtool accepts the scrape config and every PromQL expression of the dashboards
#     (scripts/check-promql.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
f=docker-compose.yml
[ -f "$f" ] || { echo "check-compose: $f missing" >&2; exit 1; }
fail=0

APISIX_ADMIN_KEY=check A6_OPTIMIZER_API_KEY=check A6_MCP_SESSION_KEY_1=check GRAFANA_ADMIN_PASSWORD=check \
  docker-compose -f "$f" config -q || { echo "check-compose: docker-compose config rejected $f" >&2; exit 1; }

while IFS= read -r path; do
  [ -e "$path" ] || { echo "check-compose: $f names ./$path, which does not exist" >&2; fail=1; }
done < <(grep -oE '\./[A-Za-z0-9._/-]+' "$f" | sed -E 's#^\./##' | sort -u)

# Spring Boot binds A6_OPTIMIZER_FOO_BARBAZ to a6.optimizer.foo.bar-baz (dashes dropped, _ for dots): match those
# against the properties docs/optimizer.md documents.
spring_props=$(grep -oE 'a6\.optimizer\.[a-z0-9.-]+[a-z0-9]' docs/optimizer.md | tr -d '-' | sort -u)
while IFS= read -r var; do
  if [[ "$var" == A6_OPTIMIZER_* ]]; then
    prop=$(tr 'A-Z_' 'a-z.' <<<"$var")
    grep -qxF "$prop" <<<"$spring_props" && continue
    echo "check-compose: $f sets $var (Spring property $prop) but docs/optimizer.md documents no such property" >&2; fail=1
    continue
  fi
  if ! grep -rqs --exclude="$f" --exclude=.env.example --exclude-dir=target --exclude-dir=.git -- "$var" .; then
    echo "check-compose: $f sets $var but nothing in the repository reads it" >&2; fail=1
  fi
done < <(grep -oE '^\s+(A6_[A-Z0-9_]+|APISIX_[A-Z0-9_]+):' "$f" | tr -d ' :' | sort -u)

ports=$(python3 scripts/check-observability.py) || fail=1
./scripts/check-promql.sh || fail=1

while IFS= read -r port; do
  if ! grep -rqs --exclude="$f" --exclude-dir=target --exclude-dir=.git -E "(port: ?$port|:$port\b|=$port\b|\b$port\b)" \
      apisix-conf backend-optimizer/src/main/resources integration-tests/test-servers etcd-seed 2>/dev/null; then
    echo "check-compose: $f publishes container port $port but no configuration listens on it" >&2; fail=1
  fi
done < <(sort -u <<<"$ports")

[ "$fail" -eq 0 ] || exit 1
echo "check-compose: $f OK (config parses; paths exist; variables are read; ports are configured; prometheus and grafana files parse and agree; promtool accepts the config and the dashboards' PromQL)"
