#!/usr/bin/env bash
# Static checks of the environment the runner gets from APISIX (no APISIX runs on CI machines):
#  1. every variable a route's plugin configuration reads from the environment — `"credentials": {"env": "NAME"}` and
#     every other `{"env": "NAME"}` (MCP session keys, tool headers), also JSON-escaped inside ext-plugin `value`
#     strings — in apisix-conf/ and etcd-seed/ is listed in apisix-conf/config.yaml's nginx_config.envs: nginx clears
#     the environment of what it spawns, so APISIX passes only listed variables to the runner, and a missing one
#     surfaces only as a failing route;
#  2. every A6_OPTIMIZER_API_KEY / api-key / X-API-Key example in README.md, docs/ and .env.example is at least 16
#     characters, the optimizer's minimum (a shorter key stops its start-up).
set -euo pipefail
cd "$(dirname "$0")/.."
conf=apisix-conf/config.yaml
[ -f "$conf" ] || { echo "check-envs: $conf missing" >&2; exit 1; }
fail=0

# The "- NAME" items under nginx_config: envs: (comments and blank lines allowed in between).
listed=$(awk '
  /^[^[:space:]#]/ { in_nginx = ($0 ~ /^nginx_config:/); in_envs = 0; next }
  in_nginx && /^  [^[:space:]#]/ { in_envs = ($0 ~ /^  envs:/); next }
  in_envs && /^[[:space:]]+-[[:space:]]*[A-Za-z_]/ { sub(/^[[:space:]]+-[[:space:]]*/, ""); sub(/[[:space:]#].*/, ""); print }
' "$conf" | sort -u)
[ -n "$listed" ] || { echo "check-envs: $conf lists no nginx_config.envs" >&2; exit 1; }

refs=$(grep -rhoE --exclude-dir=target --include='*.json' --include='*.yaml' --include='*.yml' \
  '\\?"env\\?"[[:space:]]*:[[:space:]]*\\?"[A-Za-z_][A-Za-z0-9_]*' apisix-conf etcd-seed \
  | grep -oE '[A-Za-z_][A-Za-z0-9_]*$' | sort -u)
for var in $refs; do
  if ! grep -qxF "$var" <<<"$listed"; then
    files=$(grep -rlE --exclude-dir=target "\\\\?\"env\\\\?\"[[:space:]]*:[[:space:]]*\\\\?\"$var\\\\?\"" apisix-conf etcd-seed | tr '\n' ' ')
    echo "check-envs: $var is read from the environment by ${files:-a route} but $conf's nginx_config.envs does not" \
      "list it (expected: '    - $var' under nginx_config: envs:, or APISIX never passes it to the runner)" >&2
    fail=1
  fi
done

# Literal example values only: $VAR, $(...), <placeholder> and ${...} are not examples of a key.
while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  value=$(sed -E 's/^[^:]+:[0-9]+:.*(A6_OPTIMIZER_API_KEY=|api-key=|X-API-Key: ?)//; s/^["'"'"']//; s/["'"'"'[:space:]].*$//' <<<"$hit")
  case "$value" in ''|'$'*|'<'*) continue ;; esac
  if [ "${#value}" -lt 16 ]; then
    echo "check-envs: ${hit%%:*}:$(cut -d: -f2 <<<"$hit"): optimizer API key example '$value' has ${#value} characters" \
      "(expected: >= 16, a6.optimizer.api.api-key's minimum)" >&2
    fail=1
  fi
done < <(grep -nHoE '(A6_OPTIMIZER_API_KEY=|api-key=|X-API-Key: ?)[^[:space:]]*' README.md .env.example docs/*.md 2>/dev/null || true)

[ "$fail" -eq 0 ] || exit 1
echo "check-envs: $conf OK ($(wc -w <<<"$refs") environment references listed in nginx_config.envs; API key examples >= 16 characters)"
