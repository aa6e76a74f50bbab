#!/usr/bin/env bash
# Prometheus's own checker on what docker-compose's prometheus and grafana services load (called by check-compose.sh):
#   promtool check config  observability/prometheus/prometheus.yml
#   promtool check rules   every PromQL expression of the Grafana dashboards, written as recording rules (Grafana's
#                          $__rate_interval / $__interval / $__range and dashboard variables replaced by fixed values)
# promtool comes from Debian's `prometheus` package, downloaded and unpacked into .local-stack/promtool: nothing is
# installed on the machine and no service is started. A6_PROMTOOL names another promtool binary instead.
set -euo pipefail
cd "$(dirname "$0")/.."

tool=${A6_PROMTOOL:-}
if [ -z "$tool" ]; then
  dir=$PWD/.local-stack/promtool
  tool=$dir/usr/bin/promtool
  if [ ! -x "$tool" ]; then
    echo "check-promql: fetching Debian's prometheus package for its promtool (unpacked into $dir, not installed)" >&2
    mkdir -p "$dir"
    (cd "$dir" && apt-get download prometheus >/dev/null 2>&1) || {
      echo "check-promql: apt-get download prometheus failed (set A6_PROMTOOL to a promtool binary)" >&2; exit 1; }
    dpkg-deb -x "$dir"/prometheus_*.deb "$dir" && rm -f "$dir"/prometheus_*.deb
  fi
fi

"$tool" check config --syntax-only observability/prometheus/prometheus.yml >/dev/null

rules=$(mktemp)
trap 'rm -f "$rules"' EXIT
python3 - "$rules" observability/grafana/dashboards/*.json <<'PY'
import json, re, sys

out, files = sys.argv[1], sys.argv[2:]
exprs = []

def walk(node, where):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            exprs.append((where + "/" + str(node.get("refId", "?")), node["expr"]))
        for key, value in node.items():
            walk(value, where + ("/" + str(node["title"]) if key == "targets" and "title" in node else ""))
    elif isinstance(node, list):
        for value in node:
            walk(value, where)

for f in files:
    walk(json.load(open(f, encoding="utf-8")), f)
if not exprs:
    sys.exit("check-promql: no PromQL expression found in " + " ".join(files))
fixed = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}
with open(out, "w", encoding="utf-8") as f:
    f.write("groups:\n- name: grafana-dashboards\n  rules:\n")
    for i, (where, expr) in enumerate(exprs):
        for k, v in fixed.items():
            expr = expr.replace(k, v)
        expr = re.sub(r"\$\{?\w+\}?", "x", expr)
        f.write(f"  # {where}\n  - record: dashboard_expr_{i}\n    expr: {json.dumps(expr)}\n")
PY
if ! "$tool" check rules "$rules" >/dev/null; then
  echo "check-promql: a dashboard expression does not parse (above); dashboard_expr_N is the panel after '# ':" >&2
  grep -B1 'record:' "$rules" | grep '^  #' | nl -v0 >&2
  exit 1
fi
echo "check-promql: prometheus.yml and $(grep -c 'record:' "$rules") dashboard expressions accepted by $("$tool" --version 2>&1 | head -1)"
