#!/usr/bin/env bash
# Checks every plugin entry of the routes the project ships, offline, with the runner's own check-conf command
# (docs/configuration.md): apisix-conf/examples (except lane-route.json, a template for a plugin of your own), the
# routes etcd-seed writes, and every complete route JSON block in docs/. Needs runner/dist/target/a6-runner.jar and the sample
# official-SDK filter jar (`./mvnw verify` or `package` builds both). Exit 0 when every entry is valid.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=runner/dist/target/a6-runner.jar
[ -f "$jar" ] || { echo "check-conf: $jar missing (build it: ./mvnw -B -ntp package -DskipTests)" >&2; exit 1; }
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

# The routes name the sample official-SDK filter, which the runner loads from A6_PLUGINS_DIR (as ./a6 up does).
plugins=$(mktemp -d)
trap 'rm -rf "$plugins"' EXIT
cp integration-tests/sample-sdk-filters/target/a6-sample-sdk-filters-*.jar "$plugins/" 2>/dev/null \
  || { echo "check-conf: the sample SDK filter jar is missing (build it: ./mvnw -B -ntp package -DskipTests)" >&2; exit 1; }
export A6_PLUGINS_DIR="$plugins"

# Secret references ({"env": "NAME"}) are resolved when a value is checked: give unset ones a placeholder, so the check
# is about the routes, not about this machine's environment. The placeholder is base64 of 32 bytes, the longest key
# mcp-gateway's session key ring accepts.
for var in $(grep -rhoE --exclude-dir=target --include='*.json' --include='*.md' \
    '\\?"env\\?"[[:space:]]*:[[:space:]]*\\?"[A-Za-z_][A-Za-z0-9_]*' apisix-conf etcd-seed docs \
    | grep -oE '[A-Za-z_][A-Za-z0-9_]*$' | sort -u); do
  [ -n "${!var:-}" ] || export "$var=Y2hlY2stY29uZiBwbGFjZWhvbGRlciBrZXkgMzIgYnk="
done

files=()
while IFS= read -r f; do files+=("$f"); done < <(
  { find apisix-conf/examples -name '*.json' ! -name lane-route.json; find etcd-seed/data/routes -name '*.json';
    find docs -name '*.md'; } | sort)
rc=0
out=$("$java" -jar "$jar" check-conf "${files[@]}") || rc=$?
# 1 with no problem printed is a failure of its own (the JVM did not start, say), never a pass.
[ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && [ -n "$out" ]; } || exit "$rc"
# A file a value names on the gateway host (a secret file, mcp-gateway's OpenAPI documents) cannot be read here: such a
# problem is listed but does not fail the check; every other one does.
host_only='(expected: a readable '
grep -F "$host_only" <<<"$out" | sed 's/^/check-conf: not checkable offline (a file on the gateway host): /' >&2 || true
bad=$(grep -vF "$host_only" <<<"$out" || true)
[ -z "$bad" ] || { echo "$bad"; exit 1; }
echo "check-conf: every plugin entry of the shipped routes is valid" >&2
