#!/usr/bin/env bash
# Runs the official MCP conformance suite's server scenarios against MCP endpoints and compares with the scenarios
# each must pass (scripts/mcp-conformance-expected.txt).
#   scripts/mcp-conformance.sh LABEL=URL [LABEL=URL ...]
#   e.g. scripts/mcp-conformance.sh upstream=http://127.0.0.1:18097/mcp gateway=http://127.0.0.1:9080/mcp-conformance
# Prints a pass/fail table per endpoint; fails when a scenario listed for LABEL fails, and names the scenarios that
# pass without being listed (add them to the expected file to keep them passing).
# The suite is installed (pinned, never globally) into .local-stack/mcp-conformance, which git ignores.
# Environment: A6_MCP_CONFORMANCE_DIR overrides that directory; A6_MCP_CONFORMANCE_EXPECTED the expected file.
set -uo pipefail
cd "$(dirname "$0")/.."

# 0.1.12 is the newest release that runs on Node.js 20 (0.1.14 and later need Node 22's fs.globSync).
SUITE_VERSION=0.1.12
DIR=${A6_MCP_CONFORMANCE_DIR:-$PWD/.local-stack/mcp-conformance}
EXPECTED=${A6_MCP_CONFORMANCE_EXPECTED:-scripts/mcp-conformance-expected.txt}

if [ $# -eq 0 ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2
fi
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "mcp-conformance: node and npm are needed (Node.js 20 or newer)" >&2; exit 2; }

CLI="$DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"
installed=$(node -p "require('$DIR/node_modules/@modelcontextprotocol/conformance/package.json').version" 2>/dev/null)
if [ "$installed" != "$SUITE_VERSION" ]; then
  echo "mcp-conformance: installing @modelcontextprotocol/conformance@$SUITE_VERSION into $DIR" >&2
  mkdir -p "$DIR"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$DIR" \
    "@modelcontextprotocol/conformance@$SUITE_VERSION" >&2 || { echo "mcp-conformance: npm install failed" >&2; exit 2; }
fi

status=0
for target in "$@"; do
  label=${target%%=*}; url=${target#*=}
  if [ "$label" = "$target" ] || [ -z "$url" ]; then
    echo "mcp-conformance: $target (expected: LABEL=URL)" >&2; exit 2
  fi
  out=$(mktemp); results=$(mktemp -d)
  # The CLI writes its results/ directory into the working directory: keep it out of the checkout.
  (cd "$results" && node "$CLI" server --url "$url" --suite all) >"$out" 2>&1
  # SUMMARY lines: "✓ name: 3 passed, 0 failed" / "✗ name: 0 passed, 1 failed".
  declare -A passed=()
  while read -r name verdict; do passed[$name]=$verdict; done < <(
    sed -n '/=== SUMMARY ===/,$p' "$out" | sed -nE 's/^(✓|✗) ([a-z0-9-]+): ([0-9]+) passed, ([0-9]+) failed.*/\2 \4/p' |
      awk '{print $1, ($2 == 0 ? "pass" : "fail")}')
  if [ ${#passed[@]} -eq 0 ]; then
    echo "mcp-conformance: $label: no results from the suite (is $url up?)" >&2
    tail -n 20 "$out" >&2; rm -rf "$out" "$results"; status=1; continue
  fi
  mapfile -t expected < <(awk -v l="$label" '$1 == l {print $2}' "$EXPECTED" 2>/dev/null)
  n_pass=0; n_total=0; missing=(); extra=()
  printf '\n%s  %s\n' "$label" "$url"
  printf '  %-32s %-6s %s\n' scenario result expected
  for name in $(printf '%s\n' "${!passed[@]}" | sort); do
    want=no
    for e in "${expected[@]}"; do [ "$e" = "$name" ] && want=yes; done
    printf '  %-32s %-6s %s\n' "$name" "${passed[$name]}" "$want"
    n_total=$((n_total + 1))
    [ "${passed[$name]}" = pass ] && n_pass=$((n_pass + 1))
    [ "$want" = yes ] && [ "${passed[$name]}" != pass ] && missing+=("$name")
    [ "$want" = no ] && [ "${passed[$name]}" = pass ] && extra+=("$name")
  done
  for e in "${expected[@]}"; do
    [ -n "${passed[$e]:-}" ] || missing+=("$e (not run)")
  done
  echo "  $label: $n_pass of $n_total scenarios pass"
  if [ ${#extra[@]} -gt 0 ]; then
    echo "  newly passing (not yet in $EXPECTED): ${extra[*]}"
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "  FAIL: expected to pass but did not: ${missing[*]} (details: rerun the suite with --verbose)"
    status=1
  fi
  unset passed
  rm -rf "$out" "$results"
done
exit $status
