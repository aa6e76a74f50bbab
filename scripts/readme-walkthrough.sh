#!/usr/bin/env bash
# Runs README.md's "Try it" block against a running local stack and checks that each feature answered.
set -euo pipefail
cd "$(dirname "$0")/.."
block=$(awk '/<!-- try-it:start/ {on=1; next} /<!-- try-it:end/ {on=0} on' README.md | sed '/^```/d')
[ -n "$block" ] || { echo "readme-walkthrough: no try-it block in README.md" >&2; exit 1; }
out=$(bash -euo pipefail -c "$block" 2>&1) || { echo "$out" >&2; echo "readme-walkthrough: a README command failed" >&2; exit 1; }
fail=0
expect() { # what, regex
  if grep -qE "$2" <<<"$out"; then echo "  ok   $1"; else echo "  FAIL $1 (no match for /$2/)"; fail=1; fi
}
expect "proxied route reaches a backend node"      '"path":"/orders/42"'
expect "the answer names its node (X-Demo-Node)"   '^[Xx]-[Dd]emo-[Nn]ode: 127\.0\.0\.1[1-4]:1808[1-4]'
expect "fallback route answers from a node"        '"path":"/catalog/7"'
expect "demo admin makes the nodes fail on demand" 'failing: 503'
expect "fallback answers from cache while failing" '^X-A6-Fallback: cache'
expect "fallback answers static while failing"     '^X-A6-Fallback: static'
expect "static fallback body"                      '^\{"orders":\[\],"degraded":true\}'
expect "fallback route recovers to a node"         '"path":"/catalog/9"'
expect "AI chat answered with accounting headers"  'x-a6-ai-cost-usd'
expect "AI answer text"                            'Hello from the test provider'
expect "AI stream relayed chunk by chunk"         '"object":"chat.completion.chunk"'
expect "AI stream ends with usage and [DONE]"      '"x_a6":\{"target":"demo-openai"'
expect "prompt API returns validated JSON"         '"sentiment":"positive"'
expect "prompt demo says its answer is canned"     'canned answer from the demo test server'
expect "MCP catalog merges REST and federated"     '"name":"orders_get".*|"name":"calc_add"'
expect "MCP REST tool result"                      '"structuredContent":\{"id":"a-1"'
expect "MCP federated tool result"                 '"text":"5'
expect "official-SDK filter rewrote the request"   '/rewritten/sdk/hello'
expect "optimizer reports upstream 1"              '"upstream":"upstreams/1"'
expect "runner metrics"                            '^a6_(ai|runner)_'
[ "$fail" -eq 0 ] || { echo "$out" | head -c 4000 >&2; exit 1; }
echo "readme-walkthrough: every README command worked"
